"""Background work that apps register in their ``AppConfig.ready()``; core runs it and imports
none of them.

Two kinds:

- **jobs** run by every worker round (or every ``every`` seconds) and return how much they
  did, so the worker knows whether to wait before the next round::

      @jobs.register("outbox")
      def send_due_messages() -> int: ...

- **housekeeping steps** run once a minute and return counts by name, for the log::

      @housekeeping.register
      def forget_expired_sessions(now) -> dict[str, int]: ...
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Job:
    name: str
    run: Callable[[], int]
    every: float = 0.0  # seconds between runs; 0: every worker round
    next_at: float = field(default=0.0, compare=False)


class Jobs:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}

    def register(self, name: str, every: float = 0.0) -> Callable[[Callable[[], int]], Any]:
        def decorator(run: Callable[[], int]) -> Callable[[], int]:
            self._jobs[name] = Job(name, run, every)
            return run

        return decorator

    def get(self, name: str) -> Job:
        return self._jobs[name]

    def __iter__(self) -> Iterator[Job]:
        return iter(list(self._jobs.values()))


class Steps:
    def __init__(self) -> None:
        self._steps: list[Callable[[Any], dict[str, int]]] = []

    def register(self, step: Callable[[Any], dict[str, int]]) -> Callable[[Any], dict[str, int]]:
        if step not in self._steps:
            self._steps.append(step)
        return step

    def __iter__(self) -> Iterator[Callable[[Any], dict[str, int]]]:
        return iter(list(self._steps))


jobs = Jobs()
housekeeping = Steps()


class ShutdownHooks:
    """What must stop at once when the server is asked to stop (``accueil serve``): e.g. the
    queues hub ends its never-ending display streams. Called from the signal handler's thread,
    so each hook must be thread-safe and quick."""

    def __init__(self) -> None:
        self._hooks: list[Callable[[], None]] = []

    def register(self, hook: Callable[[], None]) -> Callable[[], None]:
        if hook not in self._hooks:
            self._hooks.append(hook)
        return hook

    def run(self) -> None:
        for hook in list(self._hooks):
            hook()


on_shutdown = ShutdownHooks()
