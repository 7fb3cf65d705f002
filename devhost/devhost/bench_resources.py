"""``python -m devhost.bench_resources`` (``make bench-resources``): figures for Lambda's
resource model on this machine.

1. A CPU-bound handler (``--spin-ms`` of CPU) at 128, 512 and 1,769 MB: its Duration, and the
   ratio to 1,769 MB next to the ratio Lambda's CPU share predicts (1,769 / MemorySize).
2. Freezing: the warm path of a trivial handler with the freezer cgroup, with SIGSTOP/SIGCONT
   and unfrozen, interleaved in blocks in one process so that background load hits all
   alike; the difference of the medians is the cost of a freeze and a thaw per invocation.
3. Builds: the template's functions built as ``sam build`` would, into an empty cache (cold)
   and again (cached).
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from devhost.build import Builder
from devhost.host import Host, HostConfig
from devhost.runtime.cgroups import cpu_share
from devhost.template import load_template

MEMORY_SIZES = (128, 512, 1769)

_HANDLER = """\
import time


def handler(event, context):
    qs = event.get("queryStringParameters") or {}
    end = time.process_time() + float(qs.get("ms", "0")) / 1000.0
    while time.process_time() < end:
        pass
    return {"ok": True}
"""


def _template(memory_sizes: tuple[int, ...]) -> str:
    functions = "".join(
        f"""
  Cpu{mb}:
    Type: AWS::Serverless::Function
    Properties:
      MemorySize: {mb}
      Events:
        Get:
          Type: HttpApi
          Properties:
            Path: /cpu{mb}
            Method: GET
"""
        for mb in memory_sizes
    )
    return f"""\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python{sys.version_info[0]}.{sys.version_info[1]}
    CodeUri: code/
    Handler: spin.handler
    Timeout: 60
Resources:{functions}"""


def _app(tmp: Path) -> Path:
    (tmp / "code").mkdir()
    (tmp / "code" / "spin.py").write_text(_HANDLER)
    path = tmp / "template.yaml"
    path.write_text(_template(MEMORY_SIZES))
    return path


def _records(host: Host) -> list[dict[str, Any]]:
    path = host.invocation_log.path
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def _wait_records(host: Host, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        rows = _records(host)
        if len(rows) >= count:
            return rows
        time.sleep(0.05)
    return _records(host)


def _get(conn: http.client.HTTPConnection, path: str) -> None:
    conn.request("GET", path)
    resp = conn.getresponse()
    resp.read()
    if resp.status != 200:
        raise RuntimeError(f"GET {path}: {resp.status}")


def _host(template: Path, tmp: Path, name: str, **options: Any) -> Host:
    config = HostConfig(
        template=template,
        port=0,
        quiet=True,
        hot_reload=False,
        invocation_log=tmp / f"{name}.jsonl",
        **options,
    )
    return Host(config).start()


def bench_cpu(template: Path, tmp: Path, spin_ms: float, runs: int) -> dict[str, Any]:
    host = _host(template, tmp, "cpu")
    try:
        enforced = host.functions_json()["host"]["resources"]["cpu_share_enforced"]
        conn = http.client.HTTPConnection(host.url.split("://")[1], timeout=120)
        for mb in MEMORY_SIZES:
            _get(conn, f"/cpu{mb}?ms=0")  # the cold start
            for _ in range(runs):
                _get(conn, f"/cpu{mb}?ms={spin_ms}")
        conn.close()
        rows = [r for r in _wait_records(host, len(MEMORY_SIZES) * (runs + 1)) if r["duration_ms"]]
    finally:
        host.stop()
    figures: dict[str, Any] = {"cpu_share_enforced": enforced, "spin_ms": spin_ms}
    medians: dict[int, float] = {}
    warm_rows: dict[int, list[dict[str, Any]]] = {}
    for mb in MEMORY_SIZES:
        warm_rows[mb] = [r for r in rows if r["function"] == f"Cpu{mb}" and not r["cold_start"]]
        medians[mb] = statistics.median(r["duration_ms"] for r in warm_rows[mb])
    for mb in MEMORY_SIZES:
        warm = warm_rows[mb]
        figures[f"{mb}MB"] = {
            "duration_ms_p50": round(medians[mb], 1),
            "cpu_time_ms_p50": round(statistics.median(r["cpu_time_ms"] or 0 for r in warm), 1),
            # the part of Duration the kernel held the environment back for its share (the
            # rest past cpu_time is the machine's other work)
            "cpu_throttled_ms_p50": round(
                statistics.median(r["cpu_throttled_ms"] or 0 for r in warm), 1
            ),
            "floor_ms": round(spin_ms / min(1.0, cpu_share(mb)), 1),
            "ratio_to_1769MB": round(medians[mb] / medians[1769], 2),
            "expected_ratio": round(min(1.0, cpu_share(1769)) / min(1.0, cpu_share(mb)), 2),
        }
    return figures


def bench_freeze(template: Path, tmp: Path, n: int, block: int) -> dict[str, Any]:
    modes = ("cgroup", "signal", "off")
    hosts = {mode: _host(template, tmp, f"freeze-{mode}", freeze=mode) for mode in modes}
    samples: dict[str, list[float]] = {mode: [] for mode in modes}
    try:
        conns = {
            mode: http.client.HTTPConnection(h.url.split("://")[1], timeout=60)
            for mode, h in hosts.items()
        }
        for conn in conns.values():
            for _ in range(20):  # cold start and warm-up
                _get(conn, "/cpu1769?ms=0")
        done = 0
        while done < n:
            for mode, conn in conns.items():
                for _ in range(block):
                    t0 = time.perf_counter()
                    _get(conn, "/cpu1769?ms=0")
                    samples[mode].append((time.perf_counter() - t0) * 1000.0)
            done += block
        for conn in conns.values():
            conn.close()
    finally:
        for h in hosts.values():
            h.stop()
    p50 = {mode: statistics.median(values) for mode, values in samples.items()}
    return {
        "requests_per_mode": n,
        "p50_ms": {mode: round(v, 3) for mode, v in p50.items()},
        "p99_ms": {
            mode: round(statistics.quantiles(v, n=100)[98], 3) for mode, v in samples.items()
        },
        "freeze_thaw_cost_ms": {
            "cgroup": round(p50["cgroup"] - p50["off"], 3),
            "signal": round(p50["signal"] - p50["off"], 3),
        },
    }


def bench_builds(template: Path) -> dict[str, Any]:
    model = load_template(template)
    with tempfile.TemporaryDirectory(prefix="devhost-build-bench-") as cache:
        builder = Builder(Path(cache))
        figures: dict[str, Any] = {}
        for label in ("cold", "cached"):
            started = time.perf_counter()
            for spec in model.functions.values():
                builder.build(spec)
            figures[f"{label}_s"] = round(time.perf_counter() - started, 2)
        figures["functions"] = len(model.functions)
        figures["cached_speedup"] = round(figures["cold_s"] / max(figures["cached_s"], 1e-6), 1)
    return figures


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m devhost.bench_resources", description=__doc__)
    p.add_argument("--spin-ms", type=float, default=100.0)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--freeze-requests", type=int, default=1000)
    p.add_argument("--build-template", default="template.yaml")
    p.add_argument("--json", help="write the figures here too")
    a = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="devhost-bench-resources-") as tmp_name:
        tmp = Path(tmp_name)
        template = _app(tmp)
        figures = {
            "cpu_share": bench_cpu(template, tmp, a.spin_ms, a.runs),
            "freeze": bench_freeze(template, tmp, a.freeze_requests, 100),
            "build": bench_builds(Path(a.build_template)),
        }
    text = json.dumps(figures, indent=2)
    print(text)
    if a.json:
        Path(a.json).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
