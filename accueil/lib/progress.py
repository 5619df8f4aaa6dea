"""A one-line text progress bar on standard error, for long commands (rebuilds, generators).

Redrawn in place with a carriage return; a new line once done. Nothing when the stream is not a
terminal and ``always`` is false, so logs of scheduled runs stay clean."""

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, total: int, label: str, stream: TextIO | None = None, width: int = 30):
        self.total, self.label, self.width = max(total, 0), label, width
        self.stream = stream or sys.stderr
        self.started = time.monotonic()

    def __call__(self, done: int, total: int | None = None) -> None:
        if total is not None:
            self.total = total
        share = min(done / self.total, 1.0) if self.total else 1.0
        filled = int(self.width * share)
        rate = done / max(time.monotonic() - self.started, 1e-6)
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done:,}/{self.total:,} "
            f"{self.label} ({rate:,.0f}/s)"
        )
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()
