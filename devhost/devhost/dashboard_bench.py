"""``python -m devhost.dashboard_bench`` (``make bench-dashboard``): what an open dashboard
costs the warm path.

One host (a separate process, the FastAPI + Mangum app of ``make bench-host``) is measured
warm with a sequential keep-alive client in rounds: each round once with no dashboard open and
once with a real headless Chromium showing ``/_host/`` (polling every second, drawing its
charts) on the same machine. The rounds alternate so the machine's background load hits both
alike. Printed: warm p50/p95/p99 closed and open with their ratio, the host process's CPU per
request in each (the open phase includes serving the page's polls), and Chromium's own CPU.
Target: the open page's cost within the noise of the closed rounds.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from devhost.bench import APP_DIR, PATH, TEMPLATE, _cpu_s, _free_port, _start_host, _wait_http

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _warm(port: int, n: int) -> list[float]:
    """``n`` sequential requests on one keep-alive connection; each one's latency in ms."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies = []
    try:
        for _ in range(n):
            started = time.perf_counter()
            conn.request("GET", PATH)
            conn.getresponse().read()
            latencies.append((time.perf_counter() - started) * 1000.0)
    finally:
        conn.close()
    return latencies


def _percentiles(samples: list[float]) -> dict[str, float]:
    data = sorted(samples)

    def at(p: float) -> float:
        return round(data[min(len(data) - 1, max(0, int(len(data) * p) - 1))], 3)

    return {"p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99), "n": len(data)}


class OpenDashboard:
    """A headless Chromium showing ``/_host/`` until :meth:`close`; ready once the page's
    title shows in Chromium's DevTools list (so its script is running)."""

    def __init__(self, port: int, profile: Path) -> None:
        self.profile = profile
        shutil.rmtree(profile, ignore_errors=True)
        self.process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-dev-shm-usage",
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                f"http://127.0.0.1:{port}/_host/",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_for_page()

    def _wait_for_page(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        active = self.profile / "DevToolsActivePort"
        while time.monotonic() < deadline:
            if active.exists() and active.read_text().strip():
                devtools = int(active.read_text().split()[0])
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", devtools, timeout=5)
                    conn.request("GET", "/json/list")
                    pages = json.loads(conn.getresponse().read())
                    conn.close()
                except (OSError, ValueError):
                    pages = []
                if any(p.get("title", "").startswith("devhost") for p in pages):
                    return
            time.sleep(0.1)
        self.close()
        raise RuntimeError("Chromium did not show the dashboard")

    def cpu_s(self) -> float:
        """CPU time of Chromium and all its processes so far."""
        try:
            root = psutil.Process(self.process.pid)
            return sum(_cpu_s(p) for p in [root, *root.children(recursive=True)])
        except psutil.Error:
            return 0.0

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        shutil.rmtree(self.profile, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devhost.dashboard_bench", description=__doc__)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--requests", type=int, default=1000, help="per phase")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds after the page opens")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: install Debian's chromium", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="devhost-dashboard-bench-"))
    (tmp / "template.yaml").write_text(TEMPLATE.format(code=APP_DIR))
    port = _free_port()
    host = _start_host(sys.executable, tmp, port, tmp / "invocations.jsonl", None)
    samples: dict[str, list[float]] = {"closed": [], "open": []}
    host_cpu: dict[str, float] = {"closed": 0.0, "open": 0.0}
    chromium_cpu_s = open_seconds = 0.0
    try:
        _wait_http(port, PATH)
        server = psutil.Process(host.pid)
        _warm(port, 300)
        for round_no in range(args.rounds):
            before = _cpu_s(server)
            samples["closed"] += _warm(port, args.requests)
            host_cpu["closed"] += _cpu_s(server) - before
            page = OpenDashboard(port, tmp / "chromium")
            try:
                time.sleep(args.settle)
                before, page_before, started = _cpu_s(server), page.cpu_s(), time.monotonic()
                samples["open"] += _warm(port, args.requests)
                host_cpu["open"] += _cpu_s(server) - before
                chromium_cpu_s += page.cpu_s() - page_before
                open_seconds += time.monotonic() - started
            finally:
                page.close()
            print(f"round {round_no + 1}/{args.rounds} done", flush=True)
    finally:
        host.terminate()
        host.wait(timeout=20)
    closed, opened = _percentiles(samples["closed"]), _percentiles(samples["open"])
    per_phase = args.rounds * args.requests
    results: dict[str, Any] = {
        "closed": closed,
        "open": opened,
        "ratio_p50": round(opened["p50_ms"] / closed["p50_ms"], 3),
        "ratio_p95": round(opened["p95_ms"] / closed["p95_ms"], 3),
        "ratio_p99": round(opened["p99_ms"] / closed["p99_ms"], 3),
        "host_cpu_per_request_us": {
            phase: round(cpu / per_phase * 1e6, 1) for phase, cpu in host_cpu.items()
        },
        "chromium_cpu_percent_of_one_core": round(
            100 * chromium_cpu_s / max(open_seconds, 1e-9), 1
        ),
        # the spread of the closed rounds' p50s: what "within noise" is measured against
        "closed_round_p50_spread_ms": _round_spread(samples["closed"], args.rounds),
        "cores": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 2),
    }
    print(
        f"\nwarm path, {per_phase} requests per phase in {args.rounds} alternating rounds "
        f"({results['cores']} cores, load average {results['load_average']}):"
    )
    print(f"  {'':10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'host CPU/req':>13}")
    for phase, figures in (("closed", closed), ("open", opened)):
        print(
            f"  {phase:10} {figures['p50_ms']:8.3f} {figures['p95_ms']:8.3f} "
            f"{figures['p99_ms']:8.3f} {results['host_cpu_per_request_us'][phase]:10.1f} us"
        )
    print(
        f"  open/closed: p50 x{results['ratio_p50']}, p95 x{results['ratio_p95']}, "
        f"p99 x{results['ratio_p99']}; closed rounds' p50 spread "
        f"{results['closed_round_p50_spread_ms']} ms; Chromium drawing the page used "
        f"{results['chromium_cpu_percent_of_one_core']}% of one core"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


def _round_spread(samples: list[float], rounds: int) -> float:
    size = len(samples) // rounds
    p50s = [statistics.median(samples[i * size : (i + 1) * size]) for i in range(rounds)]
    return round(max(p50s) - min(p50s), 3)


if __name__ == "__main__":
    raise SystemExit(main())
