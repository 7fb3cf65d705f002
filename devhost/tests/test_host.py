"""The host end to end, with the fixture functions: cold/warm, scale-out, throttling,
timeout, memory kill, crash, init error, reaping, reset, hot reload, logs, metering."""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
from pathlib import Path
from typing import Any

from devhost import Host
from devhost.testing import CONTROL_HEADERS, Resp, request, wait_for
from devhost.testing import make_host as _make_host

TEMPLATE = Path(__file__).parent / "fixtures" / "template.yaml"


def make_host(tmp_path: Path, **config: Any) -> Host:
    template = config.pop("template", TEMPLATE)
    return _make_host(template, invocation_log=tmp_path / "invocations.jsonl", **config)


REPORT_RE = re.compile(
    r"^\[(?P<fn>\w+)\] REPORT RequestId: (?P<rid>[0-9a-f-]{36})\tDuration: \d+\.\d{2} ms\t"
    r"Billed Duration: \d+ ms\tMemory Size: (?P<mem>\d+) MB\tMax Memory Used: \d+ MB\t"
    r"(?P<init>Init Duration: \d+\.\d{2} ms\t)?(?P<status>Status: \w+\t)?"
    r"(?:Error Type: [\w.]+\t)?$"
)


def get(host: Host, path: str, **kw: Any) -> Resp:
    return request(host.url, "GET", path, **kw)


def stats(host: Host, function: str) -> dict[str, Any]:
    return dict(host.functions_json()["functions"][function])


def settled(host: Host, function: str, invocations: int) -> dict[str, Any]:
    """Metering is updated after the response is written: wait for it."""
    assert wait_for(lambda: stats(host, function)["invocations"] >= invocations)
    return stats(host, function)


def records(host: Host, count: int) -> list[dict[str, Any]]:
    assert host.invocation_log is not None
    path = host.invocation_log.path

    def lines() -> list[str]:
        return path.read_text().splitlines() if path.exists() else []

    assert wait_for(lambda: len(lines()) >= count)
    return [json.loads(line) for line in lines()]


def log_lines(host: Host, pattern: str) -> list[str]:
    assert host.log.lines is not None
    return [line for line in list(host.log.lines) if pattern in line]


def test_cold_then_warm(host: Host) -> None:
    first = get(host, "/echo?x=1")
    second = get(host, "/echo?x=2")
    assert first.status == second.status == 200
    assert first.header("x-cold-start") == "true"
    assert second.header("x-cold-start") == "false"
    assert first.json()["pid"] == second.json()["pid"]
    assert first.json()["layer"] == "from-layer"
    assert first.header("apigw-requestid")
    s = settled(host, "EchoFunction", 2)
    assert (s["invocations"], s["cold_starts"], s["errors"]) == (2, 1, 0)
    assert s["init_duration_ms"]["count"] == 1
    assert s["environments"]["live"] == 1
    assert s["environments"]["idle"] == 1


def test_event_reaches_function_as_payload_2(host: Host) -> None:
    resp = request(
        host.url,
        "POST",
        "/items/42/sub/7?a=1&a=2",
        body=b'{"k": "v"}',
        headers={"Content-Type": "application/json", "Cookie": "c1=1; c2=2", "X-Dup": "v"},
    )
    event = resp.json()["event"]
    assert event["routeKey"] == "POST /items/{item_id}/sub/{sub_id}"
    assert event["pathParameters"] == {"item_id": "42", "sub_id": "7"}
    assert event["queryStringParameters"] == {"a": "1,2"}
    assert event["cookies"] == ["c1=1", "c2=2"]
    assert event["body"] == '{"k": "v"}' and event["isBase64Encoded"] is False
    assert event["headers"]["x-dup"] == "v"
    assert event["requestContext"]["http"]["method"] == "POST"
    assert resp.json()["function_name"] == "EchoFunction"
    assert resp.json()["memory_limit_in_mb"] == "128"
    assert 0 < resp.json()["remaining_ms"] <= 3000
    assert get(host, "/items/special").json()["event"]["routeKey"] == "GET /items/special"
    greedy = get(host, "/echo/a/b/c").json()["event"]
    assert greedy["pathParameters"] == {"proxy": "a/b/c"}
    assert get(host, "/nope").status == 404
    assert get(host, "/nope").json() == {"message": "Not Found"}


def test_response_mapping_through_host(host: Host) -> None:
    bare = get(host, "/echo?mode=bare-string")
    assert (bare.status, bare.body, bare.header("content-type")) == (
        200,
        b"Hello from Lambda!",
        "application/json",
    )
    binary = get(host, "/echo?mode=binary")
    assert binary.body == b"\x89PNG\r\n\x1a\n\x00\x01"
    assert binary.header("content-type") == "image/png"
    cookies = get(host, "/echo?mode=cookies")
    assert cookies.status == 201
    assert [v for k, v in cookies.headers if k.lower() == "set-cookie"] == [
        "a=1; Path=/",
        "b=2; HttpOnly",
    ]
    malformed = get(host, "/echo?mode=malformed")
    assert malformed.status == 500
    assert malformed.json() == {"message": "Internal Server Error"}


def test_lambda_environment_variables(host: Host) -> None:
    env = get(host, "/echo?mode=env").json()
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "EchoFunction"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "128"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["_HANDLER"] == "fixture_app.handler.handler"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.11"
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/EchoFunction"
    assert re.fullmatch(
        r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", env["AWS_LAMBDA_LOG_STREAM_NAME"]
    )
    # the task root is the function's built artifact (CodeUri + requirements), as sam build's
    task_root = Path(env["LAMBDA_TASK_ROOT"])
    assert task_root == Path(
        host.functions_json()["functions"]["EchoFunction"]["build"]["sys_path"][0]
    )
    assert (task_root / "fixture_app" / "handler.py").is_file()
    assert env["TZ"] == ":UTC"
    assert env["AWS_REGION"]
    assert env["GREETING"] == "hello"
    assert env["ONLY_ECHO"] == "a-b-hello"
    assert "AWS_LAMBDA_MAX_CONCURRENCY" not in env
    assert env["AWS_LAMBDA_RUNTIME_API"].startswith("127.0.0.1:")


def _parallel(host: Host, paths: list[str]) -> list[Resp]:
    results: list[Resp | None] = [None] * len(paths)

    def run(i: int) -> None:
        results[i] = get(host, paths[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(paths))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


def test_concurrent_requests_get_separate_environments(host: Host) -> None:
    resps = _parallel(host, ["/echo?mode=sleep&s=0.6"] * 4)
    assert all(r.status == 200 for r in resps)
    assert len({r.header("x-pid") for r in resps}) == 4
    assert all(r.header("x-cold-start") == "true" for r in resps)
    s = settled(host, "EchoFunction", 4)
    assert s["cold_starts"] == 4
    assert s["environments"]["peak_concurrency"] == 4
    assert s["environments"]["live"] == 4
    # all four are now warm: four more concurrent requests reuse them
    again = _parallel(host, ["/echo?mode=sleep&s=0.3"] * 4)
    assert {r.header("x-pid") for r in again} == {r.header("x-pid") for r in resps}
    assert all(r.header("x-cold-start") == "false" for r in again)


def test_throttle_past_reserved_concurrency(host: Host) -> None:
    """LimitedFunction has ReservedConcurrentExecutions 2: a third concurrent request is
    throttled without starting an environment (500, as API Gateway shows a Lambda throttle;
    see test_aws_limits for the 429 option)."""
    slow: list[Resp] = []
    threads = [
        threading.Thread(target=lambda: slow.append(get(host, "/limited?mode=sleep&s=0.8")))
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    assert wait_for(lambda: host.gauges()["LimitedFunction"]["busy"] == 2)
    throttled = get(host, "/limited")
    assert throttled.status == 500
    assert throttled.json() == {"message": "Internal Server Error"}
    for t in threads:
        t.join(10)
    assert [r.status for r in slow] == [200, 200]
    s = settled(host, "LimitedFunction", 2)
    assert s["throttles"] == 1
    assert s["environments"]["peak"] == 2
    recs = records(host, 3)
    throttle = [r for r in recs if r["outcome"] == "throttled"]
    assert len(throttle) == 1 and throttle[0]["http_status"] == 500
    assert throttle[0]["function"] == "LimitedFunction"


def test_timeout_ends_environment(host: Host) -> None:
    t0 = time.monotonic()
    resp = get(host, "/limited?mode=sleep&s=5")
    elapsed = time.monotonic() - t0
    assert resp.status == 500
    assert resp.json() == {"message": "Internal Server Error"}
    assert 1.0 <= elapsed < 3.0
    s = settled(host, "LimitedFunction", 1)
    assert s["outcomes"]["timeout"] == 1
    assert s["environments"]["live"] == 0
    assert wait_for(lambda: bool(log_lines(host, "Task timed out after 1.00 seconds")))
    report = log_lines(host, "REPORT RequestId")[-1]
    assert "Status: timeout" in report
    assert REPORT_RE.match(report)
    assert get(host, "/limited").header("x-cold-start") == "true"


def test_memory_kill(host: Host) -> None:
    resp = get(host, "/echo?mode=oom")
    assert resp.status == 500
    s = settled(host, "EchoFunction", 1)
    assert s["outcomes"]["oom"] == 1
    assert s["peak_memory_used_mb"] >= 128
    assert s["environments"]["live"] == 0
    rec = records(host, 1)[-1]
    assert rec["outcome"] == "oom" and rec["error_type"] == "Runtime.OutOfMemory"
    assert rec["max_memory_used_mb"] >= 128
    assert wait_for(lambda: bool(log_lines(host, "Error Type: Runtime.OutOfMemory")))
    assert get(host, "/echo").header("x-cold-start") == "true"


def test_crash_mid_invocation(host: Host) -> None:
    warm = get(host, "/echo")
    resp = get(host, "/echo?mode=crash")
    assert resp.status == 500
    assert resp.json() == {"message": "Internal Server Error"}
    after = get(host, "/echo")
    assert after.status == 200
    assert after.header("x-cold-start") == "true"
    assert after.json()["pid"] != warm.json()["pid"]
    s = settled(host, "EchoFunction", 3)
    assert s["outcomes"]["crash"] == 1
    assert wait_for(lambda: bool(log_lines(host, "Runtime exited with error: exit status 3")))
    assert log_lines(host, "about to crash")


def test_handler_exception_keeps_environment(host: Host) -> None:
    first = get(host, "/echo")
    resp = get(host, "/echo?mode=raise")
    assert resp.status == 500
    after = get(host, "/echo")
    assert after.json()["pid"] == first.json()["pid"]
    s = settled(host, "EchoFunction", 3)
    assert s["outcomes"]["error"] == 1
    assert wait_for(lambda: bool(log_lines(host, "[ERROR] ValueError: fixture exception")))
    rec = next(r for r in records(host, 3) if r["outcome"] == "error")
    assert rec["error_type"] == "ValueError"


def test_init_error(host: Host) -> None:
    for _ in range(2):
        resp = get(host, "/broken")
        assert resp.status == 500
        assert resp.json() == {"message": "Internal Server Error"}
    s = settled(host, "BrokenFunction", 2)
    assert s["cold_starts"] == 2  # each request gets a fresh environment
    assert s["outcomes"]["error"] == 2
    assert s["environments"]["live"] == 0
    assert wait_for(lambda: len(log_lines(host, "Error Type: Runtime.ImportModuleError")) >= 4)
    assert log_lines(host, "INIT_REPORT Init Duration")
    assert log_lines(host, "Unable to import module 'broken_app.handler'")
    rec = records(host, 2)[-1]
    assert rec["cold_start"] is True and rec["error_type"] == "Runtime.ImportModuleError"
    assert get(host, "/echo").status == 200  # the host and other functions are fine


def test_report_lines_and_invocation_log(host: Host) -> None:
    get(host, "/echo")
    get(host, "/echo?mode=print")
    settled(host, "EchoFunction", 2)
    assert wait_for(lambda: len(log_lines(host, "REPORT RequestId")) >= 2)
    reports = log_lines(host, "REPORT RequestId")
    matches = [REPORT_RE.match(line) for line in reports]
    assert all(matches)
    assert matches[0] and matches[0]["init"] and matches[0]["mem"] == "128"
    assert matches[1] and not matches[1]["init"]
    starts = log_lines(host, "START RequestId")
    assert starts[0].endswith("Version: $LATEST")
    assert log_lines(host, "[EchoFunction] hello from the function")
    assert log_lines(host, "[EchoFunction] to stderr")
    recs = records(host, 2)
    first, second = recs[-2], recs[-1]
    for key in (
        "ts",
        "function",
        "request_id",
        "route_key",
        "cold_start",
        "init_duration_ms",
        "duration_ms",
        "billed_duration_ms",
        "memory_size_mb",
        "max_memory_used_mb",
        "outcome",
        "status",
        "environment_id",
        "concurrent_environments",
        "http_status",
        "latency_ms",
    ):
        assert key in first
    assert first["cold_start"] is True and first["init_duration_ms"] > 0
    assert second["cold_start"] is False and second["init_duration_ms"] is None
    assert first["environment_id"] == second["environment_id"]
    assert first["route_key"] == "ANY /echo" and first["outcome"] == "ok"
    assert second["billed_duration_ms"] >= 1
    assert first["billed_duration_ms"] >= first["init_duration_ms"]


def test_metrics_and_functions_endpoints(host: Host) -> None:
    get(host, "/echo")
    settled(host, "EchoFunction", 1)
    text = get(host, "/_host/metrics").body.decode()
    assert 'devhost_invocations_total{function="EchoFunction",outcome="ok"} 1' in text
    assert 'devhost_cold_starts_total{function="EchoFunction"} 1' in text
    assert 'devhost_duration_seconds_count{function="EchoFunction"} 1' in text
    assert 'devhost_environments{function="EchoFunction",state="idle"} 1' in text
    assert "# TYPE devhost_init_duration_seconds histogram" in text
    data = get(host, "/_host/functions").json()
    echo = data["functions"]["EchoFunction"]
    assert echo["memory_size_mb"] == 128 and echo["invocations"] == 1
    assert echo["gb_seconds"] > 0 and echo["estimated_cost_usd"] > 0
    assert data["host"]["environments"] == 1


def test_reset_endpoint(host: Host) -> None:
    assert get(host, "/echo").header("x-cold-start") == "true"
    assert get(host, "/limited").header("x-cold-start") == "true"
    reset = request(
        host.url,
        "POST",
        "/_host/reset",
        body=b'{"function": "EchoFunction"}',
        headers=CONTROL_HEADERS,
    )
    assert reset.json()["ended"] == 1
    assert get(host, "/echo").header("x-cold-start") == "true"
    assert get(host, "/limited").header("x-cold-start") == "false"
    unknown = request(host.url, "POST", "/_host/reset?function=Nope", headers=CONTROL_HEADERS)
    assert unknown.status == 404
    everything = request(host.url, "POST", "/_host/reset?metrics=true", headers=CONTROL_HEADERS)
    assert everything.json()["ended"] == 2
    assert stats(host, "EchoFunction")["invocations"] == 0


def test_idle_environments_are_reaped(tmp_path: Path) -> None:
    # Given a host that ends environments idle for 0.4 s
    host = make_host(tmp_path, idle_timeout_s=0.4)
    try:
        # When a function ran once and then waits
        assert get(host, "/limited").status == 200
        # Then its environment is ended, and the next request is a cold start
        assert wait_for(lambda: host.gauges()["LimitedFunction"]["live"] == 0, timeout=3)
        # (the reaper writes its line just after the environment ends: wait for it too)
        assert wait_for(
            lambda: log_lines(host, "reaped 1 idle environment(s) of LimitedFunction"), timeout=3
        )
        assert get(host, "/limited").header("x-cold-start") == "true"
    finally:
        host.stop()


def test_host_cap_evicts_another_functions_idle_environment(tmp_path: Path) -> None:
    # Given a host capped at one environment, with Echo's environment idle
    host = make_host(tmp_path, max_environments=1)
    try:
        assert get(host, "/echo").status == 200
        # When another function is called
        resp = get(host, "/limited")
        # Then Echo's idle environment made room for it
        assert resp.status == 200
        assert host.gauges()["EchoFunction"]["live"] == 0
        assert host.gauges()["LimitedFunction"]["live"] == 1
    finally:
        host.stop()


def _busy_limited(host: Host, seconds: float) -> threading.Thread:
    slow = threading.Thread(target=lambda: get(host, f"/limited?mode=sleep&s={seconds}"))
    slow.start()
    assert wait_for(lambda: host.gauges()["LimitedFunction"]["busy"] == 1)
    return slow


def test_host_cap_is_not_a_throttle_and_a_request_waits_for_a_free_environment(
    tmp_path: Path,
) -> None:
    """AWS has no such cap (1,000 concurrent executions per account by default): it is this
    machine's limit, so it is counted as capacity, never as a Lambda throttle."""
    # Given a host capped at one environment, busy for 0.6 s
    host = make_host(tmp_path, max_environments=1, capacity_wait_s=5.0)
    try:
        slow = _busy_limited(host, 0.6)
        # When another function is called
        resp = get(host, "/echo")
        slow.join(5)
        # Then it waited for the environment to be free, and was served
        assert resp.status == 200
        s = settled(host, "EchoFunction", 1)
        assert (s["throttles"], s["capacity_waits"], s["capacity_rejections"]) == (0, 1, 0)
        rec = next(r for r in records(host, 2) if r["function"] == "EchoFunction")
        assert rec["capacity_wait_ms"] > 100
    finally:
        host.stop()


def test_host_cap_without_waiting_answers_503_and_says_so(tmp_path: Path) -> None:
    # Given a host capped at one environment that does not wait, busy
    host = make_host(tmp_path, max_environments=1, capacity_wait_s=0)
    try:
        slow = _busy_limited(host, 0.6)
        # When another function is called
        resp = get(host, "/echo")
        slow.join(5)
        # Then it is refused as the host's own limit, not as a Lambda throttle
        assert resp.status == 503
        assert resp.header("retry-after") == "1"
        s = stats(host, "EchoFunction")
        assert (s["throttles"], s["capacity_rejections"], s["invocations"]) == (0, 1, 0)
        assert wait_for(lambda: bool(log_lines(host, "a limit of this machine, not a Lambda")))
        rec = next(r for r in records(host, 2) if r["function"] == "EchoFunction")
        assert (rec["outcome"], rec["http_status"]) == ("capacity", 503)
    finally:
        host.stop()


def test_eager_warm_containers(tmp_path: Path) -> None:
    host = make_host(tmp_path, warm_containers="EAGER")
    try:
        gauges = host.gauges()
        assert gauges["EchoFunction"]["idle"] == 1
        assert gauges["BrokenFunction"]["live"] == 0  # its init failed
        resp = get(host, "/echo")
        assert resp.status == 200
        rec = records(host, 1)[-1]
        assert rec["cold_start"] is False  # pre-initialised, like provisioned concurrency
    finally:
        host.stop()


def test_hot_reload(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    shutil.copytree(TEMPLATE.parent, root, ignore=shutil.ignore_patterns("__pycache__"))
    host = make_host(tmp_path, template=root / "template.yaml")
    try:
        first = get(host, "/echo")
        assert first.json()["version"] == "v1"
        handler = root / "fns" / "fixture_app" / "handler.py"
        handler.write_text(handler.read_text().replace('VERSION = "v1"', 'VERSION = "v2"'))
        assert wait_for(lambda: host.gauges()["EchoFunction"]["live"] == 0, timeout=5)
        second = get(host, "/echo")
        assert second.json()["version"] == "v2"
        assert second.header("x-cold-start") == "true"
        assert log_lines(host, "code changed for EchoFunction")
        # a layer change ends every function that uses the layer
        get(host, "/limited")
        (root / "layer" / "fixture_layer_mod.py").write_text('VALUE = "layer-v2"\n')
        assert wait_for(lambda: host.gauges()["LimitedFunction"]["live"] == 0, timeout=5)
        assert get(host, "/echo").json()["layer"] == "layer-v2"
    finally:
        host.stop()


def test_static_frontend(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "_next" / "static").mkdir(parents=True)
    (site / "index.html").write_text("<html>home</html>")
    (site / "about.html").write_text("<html>about</html>")
    (site / "_next" / "static" / "app.js").write_text("console.log(1)")
    template = tmp_path / "t" / "template.yaml"
    template.parent.mkdir()
    text = TEMPLATE.read_text()
    for rel in ("CodeUri: fns/", "CodeUri: broken/", "ContentUri: layer/"):
        key, sub = rel.split(": ")
        text = text.replace(rel, f"{key}: {TEMPLATE.parent / sub}")
    template.write_text(text.replace("Path: /echo\n", "Path: /api/echo\n"))
    host = make_host(tmp_path, template=template, static_dir=site)
    try:
        assert get(host, "/").body == b"<html>home</html>"
        assert get(host, "/about").body == b"<html>about</html>"
        js = get(host, "/_next/static/app.js")
        assert js.body == b"console.log(1)"
        assert "javascript" in (js.header("content-type") or "")
        assert "immutable" in (js.header("cache-control") or "")
        fallback = get(host, "/courses/123")
        assert (fallback.status, fallback.body) == (200, b"<html>home</html>")
        assert get(host, "/../../etc/passwd").body == b"<html>home</html>"
        assert get(host, "/api/echo").status == 200
        assert get(host, "/api/unknown").status == 404
        assert get(host, "/api/unknown").json() == {"message": "Not Found"}
    finally:
        host.stop()


def test_keep_alive_and_many_connections(host: Host) -> None:
    import http.client

    conn = http.client.HTTPConnection(host.url.split("://")[1], timeout=5)
    for _ in range(20):
        conn.request("GET", "/echo")
        r = conn.getresponse()
        assert r.status == 200
        r.read()
    conn.close()
    resps = _parallel(host, ["/_host/health"] * 50)
    assert all(r.status == 200 for r in resps)


def test_head_chunked_and_expect_continue(host: Host) -> None:
    import socket

    head = request(host.url, "HEAD", "/echo")
    assert head.status == 200 and head.body == b""
    port = int(host.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
            b"Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n"
        )
        assert sock.recv(64).startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536)
        head_part, _, rest = data.partition(b"\r\n\r\n")
        length = int(re.search(rb"Content-Length: (\d+)", head_part).group(1))  # type: ignore[union-attr]
        while len(rest) < length:
            rest += sock.recv(65536)
    assert head_part.startswith(b"HTTP/1.1 200")
    assert json.loads(rest)["event"]["body"] == "hello world"


def test_stop_ends_every_environment(tmp_path: Path) -> None:
    import psutil

    host = make_host(tmp_path)
    _parallel(host, ["/echo?mode=sleep&s=0.2"] * 2 + ["/limited"])
    pids = [env.process.pid for env in host.lambda_service.environments() if env.process.pid]
    assert len(pids) == 3
    host.stop()
    assert wait_for(
        lambda: (
            not any(
                psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE
                for p in pids
            )
        )
    )
