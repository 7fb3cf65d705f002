"""Running one load test (Locust headless, samplers, report) and bottleneck comparisons.

:func:`run_load` is what ``edu load`` calls; :func:`run_compare` runs the same scenario once
per value of a bottleneck switch, each against a freshly started local host with that
template parameter, and writes one side-by-side report.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from edu_loadtest.report import Report, build_report, percentile, render_comparison, render_markdown
from edu_loadtest.routes import FUNCTIONS
from edu_loadtest.samples import (
    read_invocation_log,
    read_request_log,
    samples_from_invocations,
    samples_from_requests,
)
from edu_loadtest.scenarios import user_classes

__all__ = [
    "SWITCHES",
    "LoadOptions",
    "LocalHost",
    "parse_compare",
    "parse_run_time",
    "run_compare",
    "run_load",
]

DEFAULT_LOCAL_URL = "http://127.0.0.1:3000"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
# Bottleneck switches (SPEC §6): environment-style name -> template parameter.
SWITCHES: dict[str, str] = {
    "SEARCH_INDEX": "SearchIndex",
    "DB_POOL_SIZE": "DbPoolSize",
    "CACHE": "Cache",
}
Echo = Callable[[str], None]


@dataclass
class LoadOptions:
    users: int = 10
    spawn_rate: float = 2.0
    run_time: str = "60s"
    scenario: str = "mixed"
    host: str | None = None  # None: the local host (a running one on :3000, else started)
    out: Path | None = None
    accounts: Path | None = None
    invocation_log: Path | None = None  # default: what the local host reports
    architecture: str | None = None  # default: the template's (x86_64)
    reset_every: float = 0.0  # seconds between POST /_host/reset (0: never; cold: by shape)
    sample_interval: float = 0.5
    sample_databases: bool = True
    template: Path = Path("template.yaml")
    parameter_overrides: dict[str, str] = field(default_factory=dict)
    max_environments: int = 32
    progress: bool = True
    title: str | None = None
    cold_period: float | None = None  # the cold shape's calm+burst cycle (default scenarios.py)


# -- small parsers ------------------------------------------------------------------------------

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([hms]?)")


def parse_run_time(text: str) -> float:
    """Seconds in Locust's ``--run-time`` syntax: ``90``, ``30s``, ``2m``, ``1h30m``."""
    cleaned = text.strip().lower().replace(" ", "")
    if not cleaned or _DURATION.sub("", cleaned):
        raise ValueError(f"run time must look like 30s, 2m or 1h30m, not {text!r}")
    total = 0.0
    for number, unit in _DURATION.findall(cleaned):
        total += float(number) * {"h": 3600, "m": 60, "s": 1, "": 1}[unit]
    if total <= 0:
        raise ValueError("run time must be positive")
    return total


def parse_compare(text: str) -> tuple[str, str, list[str]]:
    """``SEARCH_INDEX=none,trgm`` -> (``SEARCH_INDEX``, ``SearchIndex``, [none, trgm])."""
    key, sep, raw_values = text.partition("=")
    key = key.strip()
    values = [v.strip() for v in raw_values.split(",") if v.strip()]
    if not sep or len(values) < 2:
        raise ValueError(f"--compare wants KEY=v1,v2 (at least two values), not {text!r}")
    parameter = SWITCHES.get(key.upper())
    if parameter is None:
        if key[:1].isupper() and key.isalnum():
            parameter = key  # a template parameter name, as is
        else:
            choices = ", ".join(SWITCHES)
            raise ValueError(f"--compare: unknown switch {key!r}; choose from {choices}")
    return key.upper() if key.upper() in SWITCHES else key, parameter, values


# -- the local host ---------------------------------------------------------------------------


def _http_json(url: str, timeout: float = 2.0) -> Any | None:
    import requests

    try:
        resp = requests.get(url, timeout=timeout)
    except requests.RequestException:
        return None
    if resp.status_code != 200:
        return None
    try:
        return resp.json()
    except ValueError:
        return None


def host_functions(url: str) -> dict[str, Any] | None:
    """The local host's ``/_host/functions`` JSON, or None when ``url`` is not the local host."""
    data = _http_json(url.rstrip("/") + "/_host/functions")
    return data if isinstance(data, dict) and "functions" in data else None


def environment_overrides() -> dict[str, str]:
    """Template parameters taken from this shell's environment (database URLs, JWT secret),
    so a host started here talks to the same databases the shell names."""
    from edu_common.settings import database_url_env_name

    overrides = {}
    for name in FUNCTIONS:
        url = os.environ.get(database_url_env_name(name))
        if url:
            overrides[f"{name.capitalize()}DatabaseUrl"] = url
    if os.environ.get("JWT_SECRET"):
        overrides["JwtSecret"] = os.environ["JWT_SECRET"]
    return overrides


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalHost:
    """``python -m devhost`` (what ``edu local start-api`` runs) as a child process on a free
    port, with its own invocation log; stopped with SIGTERM."""

    def __init__(
        self,
        out: Path,
        template: Path = Path("template.yaml"),
        parameter_overrides: dict[str, str] | None = None,
        max_environments: int = 32,
        port: int | None = None,
        startup_timeout: float = 60.0,
    ) -> None:
        self.out = out
        self.template = template
        self.parameter_overrides = {**environment_overrides(), **(parameter_overrides or {})}
        self.max_environments = max_environments
        self.port = port or _free_port()
        self.startup_timeout = startup_timeout
        self.invocation_log = out / "invocations.jsonl"
        self.log_path = out / "host.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        cmd = [
            sys.executable, "-m", "devhost",
            "--template", str(self.template),
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--invocation-log", str(self.invocation_log),
            "--max-environments", str(self.max_environments),
            "--no-hot-reload",
            "--quiet",
        ]  # fmt: skip
        for key, value in sorted(self.parameter_overrides.items()):
            cmd += ["--parameter-overrides", f"{key}={shlex.quote(value)}"]
        return cmd

    def start(self) -> LocalHost:
        self.out.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the local host exited ({self.process.returncode}):\n{tail}")
            if host_functions(self.url) is not None:
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the local host did not answer on {self.url} in time")

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


@contextmanager
def _target(opts: LoadOptions, out: Path, echo: Echo) -> Iterator[str]:
    """The URL to load: ``--host``, else a local host already on :3000, else one started."""
    if opts.host:
        yield opts.host.rstrip("/")
        return
    if not opts.parameter_overrides and host_functions(DEFAULT_LOCAL_URL) is not None:
        echo(f"using the local host already running at {DEFAULT_LOCAL_URL}")
        yield DEFAULT_LOCAL_URL
        return
    host = LocalHost(out, opts.template, opts.parameter_overrides, opts.max_environments)
    echo(f"starting the local host on {host.url} (log: {host.log_path})")
    with host:
        yield host.url


# -- one run ------------------------------------------------------------------------------


def default_out_dir(scenario: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Path("reports") / f"{stamp}-{scenario}"


def locust_command(opts: LoadOptions, url: str, out: Path) -> list[str]:
    return [
        sys.executable, "-m", "locust",
        "-f", str(LOCUSTFILE),
        "--headless",
        "--users", str(opts.users),
        "--spawn-rate", str(opts.spawn_rate),
        "--run-time", opts.run_time,
        "--host", url,
        "--csv", str(out / "locust"),
        "--html", str(out / "locust.html"),
        "--only-summary",
        "--stop-timeout", "5",
        "--loglevel", "WARNING",
        *user_classes(opts.scenario),
    ]  # fmt: skip


def _progress_reader(path: Path) -> Callable[[], tuple[int, int, int]]:
    """Counts (requests, failures, cold) in the request log, reading only what is new."""
    state = {"offset": 0, "requests": 0, "failures": 0, "cold": 0}

    def read() -> tuple[int, int, int]:
        if path.exists():
            with path.open("rb") as handle:
                handle.seek(state["offset"])
                chunk = handle.read()
            complete = chunk.rfind(b"\n") + 1
            state["offset"] += complete
            for line in chunk[:complete].splitlines():
                state["requests"] += 1
                state["failures"] += b'"ok":false' in line
                state["cold"] += b'"cold":true' in line
        return state["requests"], state["failures"], state["cold"]

    return read


def _run_locust(
    opts: LoadOptions, url: str, out: Path, request_log: Path, sampler: Any, echo: Echo
) -> int:
    env = {
        **os.environ,
        "EDU_LOADTEST_SCENARIO": opts.scenario,
        "EDU_LOADTEST_REQUEST_LOG": str(request_log),
        "EDU_LOADTEST_RESET_EVERY": str(opts.reset_every),
        "EDU_LOADTEST_USERS": str(opts.users),
        "EDU_LOADTEST_RUN_TIME": str(parse_run_time(opts.run_time)),
    }
    if opts.accounts:
        env["EDU_SEED_ACCOUNTS"] = str(opts.accounts)
    if opts.cold_period:
        env["EDU_LOADTEST_COLD_PERIOD"] = str(opts.cold_period)
    total = parse_run_time(opts.run_time)
    progress = _progress_reader(request_log)
    tty = sys.stdout.isatty()
    with (out / "locust.log").open("wb") as log:
        process = subprocess.Popen(
            locust_command(opts, url, out), stdout=log, stderr=subprocess.STDOUT, env=env
        )
        started = time.monotonic()
        last_print = 0.0
        while process.poll() is None:
            time.sleep(0.5)
            elapsed = time.monotonic() - started
            if not opts.progress or (not tty and elapsed - last_print < 5):
                continue
            last_print = elapsed
            requests, failures, cold = progress()
            line = (
                f"[{min(elapsed, total):5.0f}s/{total:.0f}s] {opts.scenario} "
                f"users {opts.users}  requests {requests:,} ({requests / max(elapsed, 1e-9):.1f}/s)"
                f"  failures {failures:,}  cold {cold:,}"
                f"  environments {sampler.latest_environments()}"
                f"  db connections {sampler.latest_connections()}"
            )
            echo(("\r" + line) if tty else line)
        if tty and opts.progress:
            echo("")
    return process.returncode


def _wait_idle(url: str, timeout: float = 30.0) -> None:
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


def _search_latencies(requests: list[dict[str, Any]]) -> list[float]:
    return [
        float(r["response_time_ms"])
        for r in requests
        if r.get("route") == "GET /api/courses"
        and r.get("search")
        and r.get("ok")
        and r.get("cold") is False  # warm only: a cold start would hide the query's cost
    ]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _architecture(functions: dict[str, Any] | None) -> str:
    for info in ((functions or {}).get("functions") or {}).values():
        arch = str(info.get("architecture") or "")
        if arch in ("x86_64", "arm64"):
            return arch
    return "x86_64"


def run_load(opts: LoadOptions, echo: Echo = print) -> Report:
    """One headless Locust run and its report (``report.md``, ``report.json``, charts)."""
    from edu_loadtest.charts import draw_charts
    from edu_loadtest.sampler import Sampler, database_urls

    user_classes(opts.scenario)  # an unknown scenario fails before anything starts
    duration = parse_run_time(opts.run_time)
    out = opts.out or default_out_dir(opts.scenario)
    out.mkdir(parents=True, exist_ok=True)
    request_log = out / "requests.jsonl"
    request_log.unlink(missing_ok=True)
    with _target(opts, out, echo) as url:
        functions = host_functions(url)
        local = functions is not None
        invocation_log: Path | None = opts.invocation_log
        if local and invocation_log is None and functions:
            logged = functions.get("host", {}).get("invocation_log")
            invocation_log = Path(logged) if logged else None
        offset = invocation_log.stat().st_size if invocation_log and invocation_log.exists() else 0
        databases = database_urls() if (local and opts.sample_databases) else None
        started = time.time()
        with Sampler(databases, url if local else None, opts.sample_interval) as sampler:
            exit_code = _run_locust(opts, url, out, request_log, sampler, echo)
            finished = time.time()
            if local:
                _wait_idle(url)
        time.sleep(1.0)  # the host appends its invocation log from a background thread
    requests = read_request_log(request_log)
    if local and invocation_log is not None:
        records = read_invocation_log(invocation_log, offset, since=started - 1.0)
        samples = samples_from_invocations(records)
        source = f"the local host's invocation log (`{invocation_log}`)"
    else:
        samples = samples_from_requests(requests)
        source = "Locust's requests (client-side latency; X-Function-Name / X-Cold-Start headers)"
    search = _search_latencies(requests)
    elapsed = max(finished - started, 1e-9)
    info: dict[str, Any] = {
        "target": url,
        "scenario": opts.scenario,
        "users": opts.users,
        "spawn rate": opts.spawn_rate,
        "run time": f"{opts.run_time} ({duration:.0f} s)",
        "started": datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds"),
        "parameters": ", ".join(f"{k}={v}" for k, v in sorted(opts.parameter_overrides.items()))
        or "template defaults",
        "requests": len(requests),
        "failures": sum(1 for r in requests if not r.get("ok")),
        "rps": round(len(requests) / elapsed, 1),
        "search_p95_ms": _rounded(percentile(search, 95)),
        "search_p99_ms": _rounded(percentile(search, 99)),
        "locust exit code": exit_code,
        "folder": out.name,
    }
    if sampler.errors:
        info["sampler warnings"] = "; ".join(sorted(set(sampler.errors))[:5])
    architecture = opts.architecture or _architecture(functions)
    report = build_report(
        opts.title or f"Load test: {opts.scenario}, {opts.users} users, {opts.run_time}",
        source,
        samples,
        requests,
        sampler.connections,
        architecture,
        info,
    )
    report.charts = draw_charts(out, samples, sampler.environments, sampler.connections, started)
    (out / "report.md").write_text(render_markdown(report), encoding="utf-8")
    (out / "report.json").write_text(json.dumps(report.to_json(), indent=2), encoding="utf-8")
    return report


# -- comparisons ------------------------------------------------------------------------------


def migrate_course(search_index: str, echo: Echo) -> None:
    """``edu migrate -f course`` with ``SEARCH_INDEX`` set: course's ``configure_database``
    creates (or drops) the trigram index."""
    env = {**os.environ, "SEARCH_INDEX": search_index}
    result = subprocess.run(
        [sys.executable, "-m", "edu_cli.main", "migrate", "-f", "course"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"edu migrate (SEARCH_INDEX={search_index}) failed:\n{result.stderr}")
    echo(f"migrated course with SEARCH_INDEX={search_index}: {result.stdout.strip()}")


def run_compare(
    opts: LoadOptions, compare: str, echo: Echo = print
) -> tuple[Path, list[tuple[str, Report]]]:
    """The scenario once per value, each against a fresh local host with the override."""
    key, parameter, values = parse_compare(compare)
    out = opts.out or default_out_dir(f"{opts.scenario}-{key}")
    out.mkdir(parents=True, exist_ok=True)
    runs: list[tuple[str, Report]] = []
    for value in values:
        echo(f"--- {key}={value} ({parameter}={value}) ---")
        if key == "SEARCH_INDEX":
            migrate_course(value, echo)
        run_opts = replace(
            opts,
            host=None,
            out=out / f"{key}={value}",
            parameter_overrides={**opts.parameter_overrides, parameter: value},
            title=f"Load test: {opts.scenario}, {opts.users} users, {opts.run_time}, {key}={value}",
        )
        run_out = run_opts.out or out
        run_out.mkdir(parents=True, exist_ok=True)
        with LocalHost(
            run_out, opts.template, run_opts.parameter_overrides, opts.max_environments
        ) as host:
            run_opts.host = host.url
            echo(f"local host on {host.url}")
            report = run_load(run_opts, echo)
        report.info["parameters"] = f"{parameter}={value}"
        runs.append((value, report))
    (out / "report.md").write_text(render_comparison(key, runs), encoding="utf-8")
    (out / "comparison.json").write_text(
        json.dumps({"key": key, "runs": [{"value": v, **r.to_json()} for v, r in runs]}, indent=2),
        encoding="utf-8",
    )
    return out, runs
