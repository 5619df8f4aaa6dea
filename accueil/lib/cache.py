"""A small per-process cache of derived data, each entry fresh for a fixed time.

For what is cheap to recompute and harmless to see a little late (an office's queue rules,
its opening calendar): every process keeps its own copy, nothing another process needs.
"""

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class TTLCache(Generic[V]):
    def __init__(self, seconds: float, size: int = 1024) -> None:
        self.seconds = seconds
        self.size = size
        self._entries: dict[Hashable, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The cached value, or ``compute()`` kept for ``seconds``."""
        now = time.monotonic()
        with self._lock:
            found = self._entries.get(key)
        if found is not None and now - found[0] < self.seconds:
            return found[1]
        value = compute()
        with self._lock:
            if len(self._entries) >= self.size:
                self._entries.clear()
            self._entries[key] = (now, value)
        return value

    def forget(self, key: Hashable | None = None) -> None:
        """Drop one entry (it changed), or every entry."""
        with self._lock:
            if key is None:
                self._entries.clear()
            else:
                self._entries.pop(key, None)
