"""What student code prints: read from a pipe to its end, the first bytes kept, the rest counted.

Student output never mixes with the grader's own, and results never travel over it.
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import termios
import threading
import time


class CapturedOutput:
    """A pipe for the worker's stdout and stderr, drained by a thread so the worker never blocks on it.

    Positions count every byte printed, kept or not; ``mark`` gives the position once all
    that is in the pipe has been read, so output can be split between exercises.
    """

    def __init__(self, keep_bytes: int):
        self.keep_bytes = keep_bytes
        self._kept = bytearray()
        self._total = 0
        self._lock = threading.Lock()
        self._read_fd, self.write_fd = os.pipe()
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while True:
            select.select([self._read_fd], [], [])
            with self._lock:  # read and keep under one lock: mark() sees either none or all of a chunk
                chunk = os.read(self._read_fd, 65536)
                if not chunk:
                    os.close(self._read_fd)
                    self._read_fd = -1
                    return
                room = self.keep_bytes - len(self._kept)
                self._kept += chunk[:max(0, room)]
                self._total += len(chunk)

    def _unread(self) -> int:
        try:  # bytes written to the pipe and not read yet
            return struct.unpack("i", fcntl.ioctl(self._read_fd, termios.FIONREAD, b"\0\0\0\0"))[0]
        except OSError:
            return 0

    def mark(self, wait: float = 1.0) -> int:
        """The position after everything written to the pipe so far (waiting up to ``wait`` s for the reader)."""
        deadline = time.monotonic() + wait
        while True:
            with self._lock:
                if self._read_fd < 0 or self._unread() == 0 or time.monotonic() > deadline:
                    return self._total
            time.sleep(0.0005)

    def close(self, wait: float = 2.0) -> None:
        """Close the grader's write end and wait for the worker's ends to close (or ``wait`` seconds)."""
        if self.write_fd >= 0:
            os.close(self.write_fd)
            self.write_fd = -1
        self._thread.join(wait)

    def text(self, start: int = 0, end: int | None = None) -> str:
        """What was printed between two positions (of it, what was kept), and how much more there was."""
        with self._lock:
            end = self._total if end is None else end
            kept = bytes(self._kept[start:end])
        text = kept.decode("utf-8", "replace")
        if end - start > len(kept):
            text += f"\n[... {end - start - len(kept)} more bytes of output not shown]"
        return text
