"""What student code prints: read from a pipe to its end, the first bytes kept, the rest counted.

Student output never mixes with the grader's own, and results never travel over it.
"""

from __future__ import annotations

import os
import threading


class CapturedOutput:
    """A pipe for the worker's stdout and stderr, drained by a thread so the worker never blocks on it."""

    def __init__(self, keep_bytes: int):
        self.keep_bytes = keep_bytes
        self._kept = bytearray()
        self._dropped = 0
        read_fd, self.write_fd = os.pipe()
        self._thread = threading.Thread(target=self._drain, args=(read_fd,), daemon=True)
        self._thread.start()

    def _drain(self, read_fd: int) -> None:
        with os.fdopen(read_fd, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                room = self.keep_bytes - len(self._kept)
                self._kept += chunk[:room]
                self._dropped += max(0, len(chunk) - room)

    def close(self, wait: float = 2.0) -> None:
        """Close the grader's write end and wait for the worker's ends to close (or ``wait`` seconds)."""
        if self.write_fd >= 0:
            os.close(self.write_fd)
            self.write_fd = -1
        self._thread.join(wait)

    def text(self) -> str:
        """What was printed (first ``keep_bytes``), and how much more there was."""
        text = bytes(self._kept).decode("utf-8", "replace")
        if self._dropped:
            text += f"\n[... {self._dropped} more bytes of output not shown]"
        return text
