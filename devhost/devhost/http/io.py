"""Socket reads and writes with a time limit, cheap on the warm path.

A Python socket with a timeout polls before every ``recv`` and ``send``, and ``settimeout``
itself is a system call. The host's sockets are non-blocking instead: a read or write is tried
first (on a warm invocation the bytes are usually there already: one system call), and only
when it would block does the caller wait in ``poll`` for at most the time left."""

from __future__ import annotations

import select
import socket
import time

__all__ = ["Waiter", "make_nonblocking"]


def make_nonblocking(sock: socket.socket) -> None:
    sock.settimeout(0.0)


class Waiter:
    """Reads and writes on one non-blocking socket."""

    __slots__ = ("_poll", "_registered", "sock")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._poll = select.poll()
        self._registered = 0

    def recv(self, size: int, timeout: float | None) -> bytes:
        """Up to ``size`` bytes (b"" at EOF); TimeoutError after ``timeout`` seconds."""
        while True:
            try:
                return self.sock.recv(size)
            except BlockingIOError:
                pass
            self._wait(select.POLLIN, timeout)

    def send_all(self, data: bytes, timeout: float | None) -> None:
        """All of ``data``; TimeoutError when the peer does not take it for ``timeout``."""
        view = memoryview(data)
        deadline = None if timeout is None else time.monotonic() + timeout
        while view:
            try:
                sent = self.sock.send(view)
            except BlockingIOError:
                left = None if deadline is None else deadline - time.monotonic()
                self._wait(select.POLLOUT, left)
                continue
            view = view[sent:]

    def _wait(self, event: int, timeout: float | None) -> None:
        if timeout is not None and timeout <= 0:
            raise TimeoutError
        if self._registered != event:
            self._poll.register(self.sock, event)
            self._registered = event
        ready = self._poll.poll(None if timeout is None else max(1, int(timeout * 1000)))
        if not ready:
            raise TimeoutError
