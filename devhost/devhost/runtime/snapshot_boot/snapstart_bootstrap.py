"""The runtime of a SnapStart function's snapshot: awslambdaric, with its restore step turned
into a fork server. Runs inside the function's process (standard library + awslambdaric only;
started by file path so that nothing of the host lands on the function's import path).

awslambdaric already follows Lambda's SnapStart protocol when
``AWS_LAMBDA_INITIALIZATION_TYPE=snap-start``: it imports the handler, runs the
``register_before_snapshot`` hooks, calls ``GET /runtime/restore/next`` (Lambda takes the
snapshot while that call waits), then runs the ``register_after_restore`` hooks and polls for
events. Here ``restore_next`` announces the snapshot to the host with that same request and
then, instead of waiting, serves restores: for each one it forks. The child is a restored
execution environment: it gets its own Runtime API address, output pipe and session, and
returns into awslambdaric, which runs the after-restore hooks and asks its Runtime API for
events. The parent stays the snapshot, untouched by any invocation.

Control protocol (a Unix socket named by ``DEVHOST_SNAPSHOT_SOCKET``), one JSON line each way:
host → ``{"env": {...}}`` with the write end of the child's output pipe as SCM_RIGHTS;
snapshot → ``{"restored": pid}``, and ``{"exited": pid, "status": code}`` when a child ends
(``code`` as ``subprocess`` reports it: negative for a signal).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import random
import selectors
import shutil
import signal
import socket
import sys
import tempfile
from typing import Any

_CONTROL_ENV = "DEVHOST_SNAPSHOT_SOCKET"


def main() -> None:
    control_path = os.environ.pop(_CONTROL_ENV)
    from awslambdaric import __main__ as ric_main
    from awslambdaric import lambda_runtime_client

    def restore_next(client: Any) -> None:
        _serve_restores(client, control_path)

    lambda_runtime_client.BaseLambdaRuntimeClient.restore_next = restore_next  # type: ignore[method-assign]
    ric_main.main(["awslambdaric", sys.argv[1]])


def _serve_restores(client: Any, control_path: str) -> None:
    """In the snapshot: returns only in a restored child."""
    native = _private_copy_of_native_client()
    control = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    control.connect(control_path)
    announce = _announce_snapshot(client.lambda_runtime_address)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # a handler, so that the wakeup fd fires
    signal.set_wakeup_fd(wake_w)
    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ, "control")
    selector.register(wake_r, selectors.EVENT_READ, "child")
    buffer = b""
    while True:
        for key, _ in selector.select():
            if key.data == "child":
                with contextlib.suppress(BlockingIOError):
                    os.read(wake_r, 512)
                _report_exits(control)
                continue
            data, fds, _flags, _addr = socket.recv_fds(control, 65536, 1)
            if not data:
                os._exit(0)  # the host is gone: so is the snapshot
            buffer += data
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                request = json.loads(line)
                out_fd = fds.pop(0)
                # A memory snapshot carries the random module's state; fork would reseed it
                # (random registers a reseed at fork). Put it back, so that a function that
                # relies on a seed drawn during INIT shows it here as it would on Lambda.
                random_state = random.getstate()
                pid = os.fork()
                if pid == 0:
                    selector.close()
                    for fd in (wake_r, wake_w, control.fileno(), announce.fileno()):
                        with contextlib.suppress(OSError):
                            os.close(fd)
                    random.setstate(random_state)
                    _become_restored(client, native, request["env"], out_fd)
                    return
                os.close(out_fd)
                control.sendall(json.dumps({"restored": pid}).encode() + b"\n")


def _become_restored(client: Any, native: str, env: dict[str, str], out_fd: int) -> None:
    """In the child: a new execution environment from here on."""
    # first the environment's own cgroups (CPU share, memory, freezer), as a launched
    # environment joins them before it runs anything
    for procs in filter(None, env.pop("DEVHOST_CGROUP_PROCS", "").split(os.pathsep)):
        with open(procs, "w") as group:
            group.write(str(os.getpid()))
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setsid()
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    os.close(out_fd)
    os.environ.clear()
    os.environ.update(env)
    # The native client read AWS_LAMBDA_RUNTIME_API when it was loaded (a static of the
    # extension); a private copy of it, loaded now, reads this environment's address.
    from awslambdaric import lambda_runtime_client

    spec = importlib.util.spec_from_file_location("runtime_client", native)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.initialize_client(lambda_runtime_client._user_agent())
    lambda_runtime_client.runtime_client = module
    client.lambda_runtime_address = env["AWS_LAMBDA_RUNTIME_API"]


def _private_copy_of_native_client() -> str:
    """A copy of awslambdaric's extension under another file name: the dynamic loader loads
    a file once per process, a copy again (read before the snapshot, so restores do not)."""
    import runtime_client  # type: ignore[import-not-found]

    folder = tempfile.mkdtemp(prefix="devhost-snapshot-")
    copy = os.path.join(folder, os.path.basename(runtime_client.__file__))
    shutil.copyfile(runtime_client.__file__, copy)
    return copy


def _announce_snapshot(address: str) -> socket.socket:
    """``GET /runtime/restore/next``: INIT (and the before-snapshot hooks) is over. The host
    never answers it; the socket is kept so that the request is not cut short."""
    host, port = address.rsplit(":", 1)
    sock = socket.create_connection((host, int(port)))
    sock.sendall(
        b"GET /2018-06-01/runtime/restore/next HTTP/1.1\r\nHost: " + address.encode() + b"\r\n\r\n"
    )
    return sock


def _report_exits(control: socket.socket) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        control.sendall(json.dumps({"exited": pid, "status": code}).encode() + b"\n")


if __name__ == "__main__":
    main()
