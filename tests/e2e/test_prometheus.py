"""A real Prometheus (Debian's ``prometheus`` package, which ``make`` installs as it installs
Chromium) scrapes the local host's ``/_host/metrics`` and answers per-function queries, and
every query of the Grafana dashboard in ``ops/`` is one Prometheus accepts over series the host
exports.

The host runs devhost's fixture template: the exposition is the host's, not EduPlatform's.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.lambda_api import REPO_ROOT

pytestmark = pytest.mark.e2e

FIXTURE_TEMPLATE = REPO_ROOT / "devhost" / "tests" / "fixtures" / "template.yaml"
GRAFANA_DASHBOARD = REPO_ROOT / "ops" / "grafana" / "dashboards" / "eduplatform-functions.json"
PROMETHEUS_CONFIG = REPO_ROOT / "ops" / "prometheus" / "prometheus.yml"
ECHO_REQUESTS = 5
# What Grafana puts in place of its variables before a query reaches Prometheus.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__range": "5m", "$function": ".*"}


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: install Debian's prometheus (apt-get install prometheus)")
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Scraped:
    prometheus: str  # base URL of the Prometheus server
    metrics_text: str  # /_host/metrics as the host served it

    def api(self, path: str, **params: str) -> Any:
        query = urllib.parse.urlencode(params)
        with urllib.request.urlopen(f"{self.prometheus}{path}?{query}", timeout=10) as resp:
            return json.loads(resp.read())

    def query(self, expr: str) -> list[dict[str, Any]]:
        answer = self.api("/api/v1/query", query=expr)
        assert answer["status"] == "success", answer
        return answer["data"]["result"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def scraped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scraped]:
    """The fixture host after ``ECHO_REQUESTS`` requests, scraped every second by a
    Prometheus of its own until the count shows."""
    from devhost.testing import request, running_host, wait_for

    prometheus = _tool("prometheus")
    tmp = tmp_path_factory.mktemp("prometheus")
    with running_host(FIXTURE_TEMPLATE, invocation_log=tmp / "invocations.jsonl") as host:
        for _ in range(ECHO_REQUESTS):
            assert request(host.url, "GET", "/echo").status == 200
        assert wait_for(
            lambda: (
                host.functions_json()["functions"]["EchoFunction"]["invocations"] == ECHO_REQUESTS
            )
        )
        config = tmp / "prometheus.yml"
        config.write_text(
            "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
            "scrape_configs:\n"
            "  - job_name: devhost\n"
            "    metrics_path: /_host/metrics\n"
            f"    static_configs: [{{targets: ['127.0.0.1:{host.port}']}}]\n"
        )
        port = _free_port()
        with (tmp / "prometheus.log").open("wb") as log:
            process = subprocess.Popen(
                [
                    prometheus,
                    f"--config.file={config}",
                    f"--storage.tsdb.path={tmp / 'data'}",
                    f"--web.listen-address=127.0.0.1:{port}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            scraped = Scraped(
                f"http://127.0.0.1:{port}",
                request(host.url, "GET", "/_host/metrics").body.decode(),
            )
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if scraped.query('devhost_invocations_total{function="EchoFunction"}'):
                        break
                except OSError:
                    pass  # not listening yet
                time.sleep(0.3)
            else:
                pytest.fail(
                    "Prometheus never scraped the host:\n"
                    + (tmp / "prometheus.log").read_text()[-3000:]
                )
            yield scraped
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_prometheus_answers_a_per_function_series_the_host_exports(scraped: Scraped) -> None:
    result = scraped.query('sum(devhost_invocations_total{function="EchoFunction"})')
    assert float(result[0]["value"][1]) == ECHO_REQUESTS
    cold = scraped.query('devhost_cold_starts_total{function="EchoFunction"}')
    assert float(cold[0]["value"][1]) == 1


def test_prometheus_sees_the_scrape_target_up(scraped: Scraped) -> None:
    targets = scraped.api("/api/v1/targets")["data"]["activeTargets"]
    assert [t["health"] for t in targets] == ["up"]


def _grafana_queries() -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("expr"), str):
                found.append(node["expr"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(GRAFANA_DASHBOARD.read_text()))
    return found


def _exported_series(metrics_text: str) -> set[str]:
    """Every series name in the exposition (a histogram's _bucket/_sum/_count included)."""
    return {
        line.split("{", 1)[0].split(" ", 1)[0]
        for line in metrics_text.splitlines()
        if line and not line.startswith("#")
    }


def test_the_grafana_dashboard_has_queries() -> None:
    assert len(_grafana_queries()) >= 10


@pytest.mark.parametrize("expr", _grafana_queries())
def test_each_grafana_query_uses_only_series_the_host_exports(scraped: Scraped, expr: str) -> None:
    # Given the query as Grafana sends it, its variables filled in
    query = expr
    for variable, value in GRAFANA_VARIABLES.items():
        query = query.replace(variable, value)
    # Then every series it names is in the host's exposition
    named = set(re.findall(r"\bdevhost_[a-z_]+\b", query))
    assert named and named <= _exported_series(scraped.metrics_text), named
    # And Prometheus accepts it (one it cannot parse answers status "error")
    assert scraped.query(query) is not None


def test_promtool_finds_no_error_in_the_exposition(scraped: Scraped) -> None:
    completed = subprocess.run(
        [_tool("promtool"), "check", "metrics"],
        input=scraped.metrics_text,
        capture_output=True,
        text=True,
        check=False,
    )
    # exit 1 is an error, 3 lint findings only; the one lint finding is deliberate: GB-seconds
    # is the unit Lambda bills in, and the host names its counter after it
    problems = [line for line in (completed.stdout + completed.stderr).splitlines() if line.strip()]
    assert completed.returncode in (0, 3), problems
    assert problems in (
        [],
        ["devhost_gb_seconds_total metric names should not contain abbreviated units"],
    )


def test_promtool_accepts_the_compose_prometheus_config() -> None:
    completed = subprocess.run(
        [_tool("promtool"), "check", "config", str(PROMETHEUS_CONFIG)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
