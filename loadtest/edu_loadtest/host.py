"""The local host as the load runner sees it: one started for a run (``python -m devhost``,
what ``edu local start-api`` runs, as a child process), and what any running one reports at
``/_host/functions``."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from edu_platform import DEFAULT_TEMPLATE
from edu_platform.ports import free_port

__all__ = [
    "DEFAULT_LOCAL_URL",
    "LocalHost",
    "UvicornServer",
    "host_architecture",
    "host_functions",
    "wait_idle",
]

DEFAULT_LOCAL_URL = "http://127.0.0.1:3000"


def host_functions(url: str) -> dict[str, Any] | None:
    """The local host's ``/_host/functions`` JSON, or None when ``url`` is not a local host."""
    import requests

    try:
        response = requests.get(url.rstrip("/") + "/_host/functions", timeout=2.0)
        data = response.json() if response.status_code == 200 else None
    except (requests.RequestException, ValueError):
        return None
    return data if isinstance(data, dict) and "functions" in data else None


def wait_idle(url: str, timeout: float = 30.0) -> None:
    """Let invocations Locust abandoned at its stop finish before the host may be stopped
    (stopping it under them would record crashes the load never caused)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        functions = host_functions(url)
        if functions is None:
            return
        busy = sum(
            int((info.get("environments") or {}).get("busy", 0))
            for info in (functions.get("functions") or {}).values()
        )
        if busy == 0:
            return
        time.sleep(0.25)


def host_architecture(functions: dict[str, Any] | None) -> str:
    """The instruction set the host's functions declare (x86_64 unless arm64)."""
    for info in ((functions or {}).get("functions") or {}).values():
        architecture = str(info.get("architecture") or "")
        if architecture in ("x86_64", "arm64"):
            return architecture
    return "x86_64"


class LocalHost:
    """The local host in a child process on a free port, with ``parameters`` as its
    template parameter overrides and its own invocation log in ``out``; stopped with SIGTERM."""

    what = "the local host"

    def __init__(
        self,
        out: Path,
        parameters: Mapping[str, str],
        template: Path = DEFAULT_TEMPLATE,
        max_environments: int = 32,
        # provisioned concurrency initialises every environment before the host is ready
        startup_timeout: float = 180.0,
    ) -> None:
        self.out = out
        self.parameters = dict(parameters)
        self.template = template
        self.max_environments = max_environments
        self.port = free_port()
        self.startup_timeout = startup_timeout
        self.invocation_log = out / "invocations.jsonl"
        self.log_path = out / "host.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        command = [
            sys.executable, "-m", "devhost",
            "--template", str(self.template),
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--invocation-log", str(self.invocation_log),
            "--max-environments", str(self.max_environments),
            "--no-hot-reload",
            "--quiet",
        ]  # fmt: skip
        for key, value in sorted(self.parameters.items()):
            command += ["--parameter-overrides", f"{key}={shlex.quote(value)}"]
        return command

    def _ready(self) -> bool:
        """Answering, with its SnapStart snapshots and provisioned concurrency ready (an
        older host says nothing about it: answering is enough)."""
        functions = host_functions(self.url)
        return functions is not None and bool(functions.get("host", {}).get("ready", True))

    def start(self) -> LocalHost:
        self.out.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{self.what} exited ({self.process.returncode}):\n{tail}")
            if self._ready():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.what} did not answer on {self.url} in time")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def __enter__(self) -> LocalHost:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class UvicornServer(LocalHost):
    """``edu serve --uvicorn`` in a child process on a free port: the five apps as plain
    ASGI services (the seed's shape), with the same template parameters a host would get;
    no execution environments, no ``/_host/``. Ready once it answers any HTTP request."""

    what = "uvicorn (edu serve --uvicorn)"

    def command(self) -> list[str]:
        command = [
            sys.executable, "-m", "edu_cli.main", "serve", "--uvicorn",
            "--host", "127.0.0.1",
            "--port", str(self.port),
        ]  # fmt: skip
        for key, value in sorted(self.parameters.items()):
            command += ["--parameter-overrides", f"{key}={shlex.quote(value)}"]
        return command

    def _ready(self) -> bool:
        import requests

        try:
            requests.get(self.url + "/", timeout=2.0)
        except requests.RequestException:
            return False
        return True
