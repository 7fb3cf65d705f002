"""``python -m devhost.bench`` (``make bench-host``): the host against plain uvicorn.

In one run, the same FastAPI app (``devhost/_bench/benchapp.py``) is served by uvicorn
directly and through the host (API Gateway + Lambda Runtime API + awslambdaric + Mangum),
both as separate processes, measured warm with the same keep-alive client: p50/p99 latency
and requests/s, and their ratio. Then the cold start: the host's Init Duration against the
bare import of the handler module (``python -c 'import benchapp'`` wall time, and the
in-process import time). Targets: the host adds at most 1 ms at p50; Init Duration within
15% of the bare import.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

APP_DIR = Path(__file__).parent / "_bench"
PATH = "/bench/ping"

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  BenchFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: {code}
      Handler: benchapp.handler
      Runtime: python3.11
      MemorySize: 512
      Timeout: 10
      Events:
        Ping:
          Type: HttpApi
          Properties:
            Path: /bench/ping
            Method: GET
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(port: int, path: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            conn.close()
            if resp.status < 500:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"nothing answered on port {port}")


def _summary(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    return {
        "p50_ms": round(samples[len(samples) // 2], 3),
        "p99_ms": round(samples[max(0, int(len(samples) * 0.99) - 1)], 3),
        "mean_ms": round(statistics.fmean(samples), 3),
        "req_per_s": round(len(samples) / (sum(samples) / 1000.0), 1),
    }


def _interleaved(ports: list[int], n: int, warmup: int, block: int = 100) -> list[list[float]]:
    """Sequential keep-alive requests, alternating blocks between the servers so that
    background load on the machine hits both alike."""
    conns = []
    for port in ports:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.connect()
        assert conn.sock is not None
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conns.append(conn)
    samples: list[list[float]] = [[] for _ in ports]
    done = -warmup
    while done < n:
        for conn, bucket in zip(conns, samples, strict=True):
            for _ in range(block):
                t0 = time.perf_counter()
                conn.request("GET", PATH)
                try:
                    resp = conn.getresponse()
                except http.client.RemoteDisconnected as exc:
                    raise RuntimeError(f"port {conn.port} closed the connection") from exc
                resp.read()
                elapsed = (time.perf_counter() - t0) * 1000.0
                if resp.status != 200:
                    raise RuntimeError(f"status {resp.status}")
                if done >= 0:
                    bucket.append(elapsed)
        done += block
    for conn in conns:
        conn.close()
    return samples


def _sequential(port: int, n: int, warmup: int) -> dict[str, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.connect()
    assert conn.sock is not None
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    samples: list[float] = []
    for i in range(warmup + n):
        t0 = time.perf_counter()
        conn.request("GET", PATH)
        resp = conn.getresponse()
        resp.read()
        elapsed = (time.perf_counter() - t0) * 1000.0
        if resp.status != 200:
            raise RuntimeError(f"status {resp.status}")
        if i >= warmup:
            samples.append(elapsed)
    conn.close()
    samples.sort()
    total_s = sum(samples) / 1000.0
    return {
        "p50_ms": round(samples[len(samples) // 2], 3),
        "p99_ms": round(samples[int(len(samples) * 0.99) - 1], 3),
        "mean_ms": round(statistics.fmean(samples), 3),
        "req_per_s": round(len(samples) / total_s, 1),
    }


def _concurrent(port: int, clients: int, seconds: float) -> dict[str, float]:
    counts = [0] * clients
    stop = time.monotonic() + seconds

    def run(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            conn.request("GET", PATH)
            r = conn.getresponse()
            r.read()
            counts[i] += 1
        conn.close()

    # warm every environment first
    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"clients": clients, "req_per_s": round(sum(counts) / (time.monotonic() - t0), 1)}


def _bare_import(python: str, runs: int) -> dict[str, float]:
    # the same clean environment the host gives its execution environments
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(APP_DIR),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
    }
    wall: list[float] = []
    inproc: list[float] = []
    importtime: list[float] = []
    code = (
        "import time; t=time.perf_counter(); import benchapp; print((time.perf_counter()-t)*1000)"
    )
    for _ in range(runs):
        t0 = time.perf_counter()
        out = subprocess.run(
            [python, "-c", code], env=env, cwd=APP_DIR, capture_output=True, text=True, check=True
        )
        wall.append((time.perf_counter() - t0) * 1000.0)
        inproc.append(float(out.stdout.strip()))
        res = subprocess.run(
            [python, "-X", "importtime", "-c", "import benchapp"],
            env=env,
            cwd=APP_DIR,
            capture_output=True,
            text=True,
            check=True,
        )
        match = re.search(r"\|\s*(\d+) \| benchapp\s*$", res.stderr, re.MULTILINE)
        if match:
            importtime.append(int(match.group(1)) / 1000.0)
    return {
        "process_wall_ms": round(statistics.median(wall), 1),
        "import_ms": round(statistics.median(inproc), 1),
        "importtime_cumulative_ms": round(statistics.median(importtime), 1) if importtime else 0,
    }


def _records(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _start_host(
    python: str, tmp: Path, port: int, inv_log: Path, source: Path | None
) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    if source is not None:  # that devhost package first on the import path
        env["PYTHONPATH"] = os.pathsep.join([str(source.resolve()), env.get("PYTHONPATH", "")])
    command = [
        python, "-m", "devhost",
        "--template", str(tmp / "template.yaml"),
        "--port", str(port),
        "--quiet",
        "--invocation-log", str(inv_log),
        "--no-hot-reload",
        "--max-environments", "16",
    ]  # fmt: skip
    main = (source / "devhost" if source is not None else Path(__file__).parent) / "__main__.py"
    if "--workspace-packages" in main.read_text():
        # the app's FastAPI and Mangum come from the workspace, as uvicorn's do: the same
        # interpreter and packages on both sides (a devhost that builds functions would
        # refuse this template: its CodeUri has no requirements.txt)
        command.append("--workspace-packages")
    return subprocess.Popen(command, env=env, cwd=tmp)


def _cpu_s(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return float(times.user + times.system)


def _post(port: int, path: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", path, headers={"X-Devhost-Control": "1"})
    conn.getresponse().read()
    conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devhost.bench", description=__doc__)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another devhost source folder (e.g. a checkout's devhost/) measured in the same "
        "run, interleaved, so that a before/after comparison shares the machine's noise",
    )
    args = parser.parse_args(argv)
    python = sys.executable
    tmp = Path(tempfile.mkdtemp(prefix="devhost-bench-"))
    (tmp / "template.yaml").write_text(TEMPLATE.format(code=APP_DIR))
    inv_log = tmp / "invocations.jsonl"
    uv_port, host_port, base_port = _free_port(), _free_port(), _free_port()
    procs: list[subprocess.Popen[bytes]] = []
    results: dict[str, Any] = {}
    try:
        procs.append(
            subprocess.Popen(
                [
                    python,
                    "-m",
                    "uvicorn",
                    "benchapp:app",
                    "--port",
                    str(uv_port),
                    "--no-access-log",
                    "--log-level",
                    "warning",
                ],
                cwd=APP_DIR,
                env={**os.environ, "PYTHONPATH": str(APP_DIR)},
            )
        )
        procs.append(_start_host(python, tmp, host_port, inv_log, None))
        ports = [uv_port, host_port]
        if args.baseline is not None:
            procs.append(_start_host(python, tmp, base_port, tmp / "baseline.jsonl", args.baseline))
            ports.append(base_port)
        for port in ports:
            _wait_http(port, PATH)

        print(f"warm, sequential keep-alive client, {args.requests} requests:")
        # CPU time of each server process (all its threads) over the run: unlike latency, it
        # hardly moves when other work competes for the machine
        servers = [psutil.Process(p.pid) for p in procs]
        cpu_before = [_cpu_s(p) for p in servers]
        samples = _interleaved(ports, args.requests, args.warmup)
        cpu_per_request_us = [
            round((_cpu_s(p) - before) / (args.requests + args.warmup) * 1e6, 1)
            for p, before in zip(servers, cpu_before, strict=True)
        ]
        uv, host = _summary(samples[0]), _summary(samples[1])
        results["uvicorn"], results["host"] = uv, host
        results["cpu_per_request_us"] = dict(
            zip(["uvicorn", "host", "baseline"], cpu_per_request_us, strict=False)
        )
        if args.baseline is not None:
            base = _summary(samples[2])
            results["baseline"] = base
            base_warm = [
                r
                for r in _records(tmp / "baseline.jsonl")
                if not r["cold_start"] and r["outcome"] == "ok"
            ]
            if base_warm:
                overhead = sorted(r["latency_ms"] - r["duration_ms"] for r in base_warm)
                results["baseline_overhead_p50_ms"] = round(overhead[len(overhead) // 2], 3)
        results["added_p50_ms"] = round(host["p50_ms"] - uv["p50_ms"], 3)
        results["latency_ratio_p50"] = round(host["p50_ms"] / uv["p50_ms"], 2)
        results["throughput_ratio"] = round(host["req_per_s"] / uv["req_per_s"], 2)
        warm = [r for r in _records(inv_log) if not r["cold_start"] and r["outcome"] == "ok"]
        if warm:
            overhead = sorted(r["latency_ms"] - r["duration_ms"] for r in warm)
            durations = sorted(r["duration_ms"] for r in warm)
            results["host_overhead_p50_ms"] = round(overhead[len(overhead) // 2], 3)
            results["function_duration_p50_ms"] = round(durations[len(durations) // 2], 3)
        rows = [("uvicorn", uv), ("host", host)]
        if "baseline" in results:
            rows.append(("baseline", results["baseline"]))
        for name, r in rows:
            print(
                f"  {name:8s} p50 {r['p50_ms']:7.3f} ms  p99 {r['p99_ms']:7.3f} ms  "
                f"{r['req_per_s']:8.1f} req/s"
            )
        print(
            f"  host/uvicorn: p50 x{results['latency_ratio_p50']}, "
            f"+{results['added_p50_ms']} ms; throughput x{results['throughput_ratio']}"
        )
        if "host_overhead_p50_ms" in results:
            print(
                f"  inside the host: function Duration p50 {results['function_duration_p50_ms']}"
                f" ms; host time around it (HTTP + event + Runtime API) p50 "
                f"{results['host_overhead_p50_ms']} ms"
            )
        print(
            "  CPU per request of each server process (the host's own, not the function's): "
            + ", ".join(f"{k} {v} us" for k, v in results["cpu_per_request_us"].items())
        )
        if "baseline_overhead_p50_ms" in results:
            print(
                f"  baseline ({args.baseline}): host time around the function p50 "
                f"{results['baseline_overhead_p50_ms']} ms; end to end p50 "
                f"{results['baseline']['p50_ms']} ms"
            )

        print(f"warm, {args.clients} concurrent clients, {args.seconds:g}s:")
        _concurrent(host_port, args.clients, 0.5)  # scale the host out first
        uv_c = _concurrent(uv_port, args.clients, args.seconds)
        host_c = _concurrent(host_port, args.clients, args.seconds)
        results["concurrent"] = {
            "uvicorn": uv_c,
            "host": host_c,
            "ratio": round(host_c["req_per_s"] / uv_c["req_per_s"], 2),
        }
        print(
            f"  uvicorn {uv_c['req_per_s']} req/s, host {host_c['req_per_s']} req/s "
            f"(x{results['concurrent']['ratio']})"
        )

        print(f"cold start, {args.cold_runs} runs:")
        inits: list[float] = []
        bare_runs: list[dict[str, float]] = []
        for _ in range(args.cold_runs):
            _post(host_port, "/_host/reset")
            time.sleep(0.3)
            before = len(_records(inv_log))
            _sequential(host_port, 1, 0)
            deadline = time.monotonic() + 5
            while len(_records(inv_log)) <= before and time.monotonic() < deadline:
                time.sleep(0.05)
            rec = _records(inv_log)[-1]
            if rec.get("init_duration_ms"):
                inits.append(float(rec["init_duration_ms"]))
            bare_runs.append(_bare_import(python, 1))
        bare = {k: round(statistics.median(r[k] for r in bare_runs), 1) for k in bare_runs[0]}
        init = round(statistics.median(inits), 1) if inits else 0.0
        results["cold"] = {
            "init_duration_ms": init,
            **bare,
            "init_vs_process_wall": round(init / bare["process_wall_ms"], 3),
            "init_vs_import": round(init / bare["import_ms"], 3),
        }
        print(f"  host Init Duration (median) {init} ms")
        print(
            f"  bare `python -c 'import benchapp'` wall {bare['process_wall_ms']} ms "
            f"(Init/wall x{results['cold']['init_vs_process_wall']})"
        )
        print(
            f"  in-process import {bare['import_ms']} ms, -X importtime cumulative "
            f"{bare['importtime_cumulative_ms']} ms "
            f"(Init/import x{results['cold']['init_vs_import']})"
        )
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
