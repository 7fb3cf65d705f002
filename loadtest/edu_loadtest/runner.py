"""Running one load test (a local host, Locust, the samplers, the report) and comparisons.

:func:`run_load` is what ``edu load`` calls; :func:`run_compare` runs the same scenario once
per value of a template parameter, each against a freshly started local host with that value,
and writes one side-by-side report.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from edu_loadtest.attribution import function_name
from edu_loadtest.host import (
    LocalHost,
    UvicornServer,
    host_architecture,
    host_functions,
    wait_idle,
)
from edu_loadtest.locust_process import LocustProcess
from edu_loadtest.options import SHAPES, Echo, LoadOptions, parse_run_time
from edu_loadtest.report import Report, build_report, percentile, render_comparison, render_markdown
from edu_loadtest.run_info import RunInfo
from edu_loadtest.samples import (
    read_invocation_log,
    read_request_log,
    samples_from_invocations,
    samples_from_requests,
)
from edu_loadtest.scenarios import user_classes
from edu_platform import Parameter, ParameterError, Registry, load_registry

__all__ = [
    "RUN_KEYS",
    "Comparison",
    "RunKey",
    "default_out_dir",
    "parse_compare",
    "run_compare",
    "run_load",
]


def default_out_dir(scenario: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Path("reports") / f"{stamp}-{scenario}"


@contextmanager
def _target(
    opts: LoadOptions, out: Path, echo: Echo
) -> Iterator[tuple[str, Mapping[str, str] | None]]:
    """The URL to load and the parameters its host runs with (None when not known): the
    ``--host`` given, else a local host (or, for the uvicorn shape, ``edu serve --uvicorn``)
    started here with ``opts.parameters``."""
    if opts.host:
        yield opts.host.rstrip("/"), opts.host_parameters
        return
    if opts.shape not in SHAPES:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)}, not {opts.shape!r}")
    if opts.prepare is not None:
        opts.prepare(opts.parameters)
    server_class = UvicornServer if opts.shape == "uvicorn" else LocalHost
    host = server_class(out, opts.parameters, opts.template, opts.max_environments)
    echo(f"starting {host.what} on {host.url} (log: {host.log_path})")
    with host:
        yield host.url, opts.parameters


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


def run_load(opts: LoadOptions, echo: Echo = print) -> Report:
    """One headless Locust run and its report (``report.md``, ``report.json``, charts)."""
    from edu_loadtest.charts import draw_charts
    from edu_loadtest.limits import assess
    from edu_loadtest.sampler import Sampler

    registry = load_registry(opts.template)
    user_classes(opts.scenario)  # an unknown scenario fails before anything starts
    duration = parse_run_time(opts.run_time)
    out = opts.out or default_out_dir(opts.scenario)
    out.mkdir(parents=True, exist_ok=True)
    with _target(opts, out, echo) as (url, parameters):
        functions = host_functions(url)
        local = functions is not None
        invocation_log = opts.invocation_log
        if local and invocation_log is None and functions:
            logged = functions.get("host", {}).get("invocation_log")
            invocation_log = Path(logged) if logged else None
        offset = invocation_log.stat().st_size if invocation_log and invocation_log.exists() else 0
        # the databases are ours to sample when the target runs here (host or uvicorn)
        databases = dict(opts.databases) if local or opts.host is None else None
        started = time.time()
        locust = LocustProcess(opts, url, out)
        with Sampler(databases, url if local else None, opts.sample_interval, registry) as sampler:
            exit_code = locust.run(
                lambda: (
                    f"environments {sampler.latest_environments()}"
                    f"  db connections {sampler.latest_connections()}"
                ),
                echo,
            )
            finished = time.time()
            if local:
                wait_idle(url)
        time.sleep(1.0)  # the host appends its invocation log from a background thread
    requests = [r for path in locust.request_logs for r in read_request_log(path)]
    requests.sort(key=lambda r: float(r.get("ts") or 0.0))
    if local and invocation_log is not None:
        records = read_invocation_log(invocation_log, offset, since=started - 1.0)
        samples = samples_from_invocations(records, registry)
        source = f"the local host's invocation log (`{invocation_log}`)"
    else:
        samples = samples_from_requests(requests, registry)
        source = "Locust's requests (client-side latency; X-Function-Name / X-Cold-Start headers)"
    search = _search_latencies(requests)
    answered = [float(r["response_time_ms"]) for r in requests if r.get("status")]
    run = RunInfo(
        target=url,
        scenario=opts.scenario,
        users=opts.users,
        spawn_rate=opts.spawn_rate,
        run_time=opts.run_time,
        run_seconds=duration,
        started=started,
        requests=len(requests),
        failures=sum(1 for r in requests if not r.get("ok")),
        rps=round(len(requests) / max(finished - started, 1e-9), 1),
        p50_ms=_rounded(percentile(answered, 50)),
        p95_ms=_rounded(percentile(answered, 95)),
        p99_ms=_rounded(percentile(answered, 99)),
        search_p95_ms=_rounded(percentile(search, 95)),
        search_p99_ms=_rounded(percentile(search, 99)),
        locust_exit_code=exit_code,
        folder=out.name,
        parameters=None if parameters is None else registry.shown_values(parameters),
        sampler_warnings=tuple(sorted(set(sampler.errors))[:5]),
        workers=opts.worker_count,
        local_workers=opts.workers,
    )
    report = build_report(
        opts.title or f"Load test: {opts.scenario}, {opts.users} users, {opts.run_time}",
        source,
        samples,
        requests,
        sampler.connections,
        opts.architecture or host_architecture(functions),
        run,
        registry,
        *_mitigations(functions, registry),
    )
    report.limits = assess(
        sampler.machine,
        sampler.environments,
        samples,
        requests,
        registry.names,
        os.cpu_count() or 1,
        target_here=opts.host is None or local,
        parameters=parameters,
    )
    report.charts = draw_charts(
        out,
        samples,
        sampler.environments,
        sampler.connections,
        started,
        registry.names,
        sampler.machine,
    )
    (out / "report.md").write_text(render_markdown(report), encoding="utf-8")
    (out / "report.json").write_text(json.dumps(report.to_json(), indent=2), encoding="utf-8")
    return report


def _mitigations(
    functions: dict[str, Any] | None, registry: Registry
) -> tuple[dict[str, int], set[str]]:
    """From the local host's ``/_host/functions``: provisioned concurrency configured per
    function, and the functions whose SnapStart snapshot is cached (both are priced)."""
    provisioned: dict[str, int] = {}
    snap_start: set[str] = set()
    for logical_id, info in ((functions or {}).get("functions") or {}).items():
        name = function_name(logical_id, registry)
        if info.get("provisioned_concurrency_configured"):
            provisioned[name] = int(info["provisioned_concurrency_configured"])
        if info.get("snap_start"):
            snap_start.add(name)
    return provisioned, snap_start


# -- comparisons ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunKey:
    """A ``--compare`` key that is no template parameter but a way to run: its values, and
    how a value changes the run's options."""

    name: str
    values: tuple[str, ...]
    apply: Callable[[LoadOptions, str], LoadOptions]


# Compare keys besides the template's parameters (matched case-insensitively).
RUN_KEYS: dict[str, RunKey] = {
    "shape": RunKey("Shape", SHAPES, lambda opts, value: replace(opts, shape=value)),
}


@dataclass(frozen=True)
class Comparison:
    """``--compare KEY=v1,v2``: a template parameter (or a :data:`RUN_KEYS` key) and the
    values to run it with."""

    parameter: Parameter | None
    values: tuple[str, ...]
    run_key: RunKey | None = None

    @property
    def label(self) -> str:
        """How the runs are labelled: the parameter's shell name (``SEARCH_INDEX``), or the
        run key's name (``Shape``)."""
        if self.run_key is not None:
            return self.run_key.name
        assert self.parameter is not None
        return self.parameter.shell_name or self.parameter.name

    def options(self, opts: LoadOptions, value: str) -> LoadOptions:
        """``opts`` for the run with ``value``."""
        if self.run_key is not None:
            return self.run_key.apply(opts, value)
        assert self.parameter is not None
        return replace(opts, parameters={**opts.parameters, self.parameter.name: value})


def parse_compare(text: str, registry: Registry) -> Comparison:
    """``SEARCH_INDEX=none,trgm`` (a shell name or a parameter name, any case) or
    ``Shape=lambda,uvicorn``: refused unless the template has that parameter (or it is a run
    key) and allows every value."""
    key, sep, raw_values = text.partition("=")
    values = tuple(v.strip() for v in raw_values.split(",") if v.strip())
    if not sep or len(values) < 2:
        raise ValueError(f"--compare wants KEY=v1,v2 (at least two values), not {text!r}")
    run_key = RUN_KEYS.get(key.strip().lower())
    if run_key is not None:
        refused = [v for v in values if v not in run_key.values]
        if refused:
            raise ValueError(
                f"--compare: {run_key.name} takes {', '.join(run_key.values)}, "
                f"not {', '.join(refused)}"
            )
        return Comparison(None, values, run_key)
    try:
        parameter = registry.parameter(key)
        for value in values:
            registry.check({parameter.name: value})
    except ParameterError as exc:
        raise ValueError(f"--compare: {exc}") from exc
    return Comparison(parameter, values)


def run_compare(
    opts: LoadOptions, compare: str, echo: Echo = print
) -> tuple[Path, list[tuple[str, Report]]]:
    """The scenario once per value, each against a fresh local host with that value."""
    comparison = parse_compare(compare, load_registry(opts.template))
    label = comparison.label
    out = opts.out or default_out_dir(f"{opts.scenario}-{label}")
    out.mkdir(parents=True, exist_ok=True)
    runs: list[tuple[str, Report]] = []
    for value in comparison.values:
        echo(f"--- {label}={value} ---")
        run_opts = replace(
            comparison.options(opts, value),
            host=None,
            out=out / f"{label}={value}",
            title=f"Load test: {opts.scenario}, {opts.users} users, {opts.run_time}, "
            f"{label}={value}",
        )
        runs.append((value, run_load(run_opts, echo)))
    (out / "report.md").write_text(render_comparison(label, runs), encoding="utf-8")
    (out / "comparison.json").write_text(
        json.dumps(
            {"key": label, "runs": [{"value": v, **r.to_json()} for v, r in runs]}, indent=2
        ),
        encoding="utf-8",
    )
    return out, runs
