"""docker-compose.yml, checked without Docker: the Compose schema and edu's own defaults.

The schema is the Compose specification's JSON schema, vendored in tests/fixtures (the
compose-spec project's schema/compose-spec.json, Apache-2.0, as shipped in the npm package
dclint 3.1.0): no network at test time.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

from edu_common.settings import Settings
from edu_platform import load_registry

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = json.loads((ROOT / "tests/fixtures/compose-spec.json").read_text())
REGISTRY = load_registry()


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return document


def validate(document: dict[str, Any]) -> list[str]:
    # The schema says draft-07 (its $schema URL lacks the '#' the library keys on).
    validator = jsonschema.Draft7Validator(SCHEMA)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def host_ports(service: dict[str, Any]) -> list[int]:
    ports = []
    for entry in service.get("ports", []):
        published = str(entry).rsplit(":", 1)[0].split(":")[-1]
        start, _, end = published.partition("-")
        ports.extend(range(int(start), int(end or start) + 1))
    return ports


def test_the_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    assert validate(compose) == []


def test_the_schema_check_would_catch_a_mistake(compose: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(compose))
    broken["services"]["redis"]["portz"] = ["6379:6379"]  # a typo in a key
    broken["volumes"]["grafana-data"] = "not a mapping"
    errors = "\n".join(validate(broken))
    assert "portz" in errors
    assert "grafana-data" in errors


@pytest.mark.parametrize("service", REGISTRY.names)
def test_each_function_database_matches_edu_defaults(compose: dict[str, Any], service: str) -> None:
    # edu's URL for the function (the template's default, e.g.
    # postgresql://postgres:postgres@127.0.0.1:5434/course) names the container's port
    database = REGISTRY.parameters[str(REGISTRY.function(service).database_parameter)]
    url = urlsplit(database.default or "")
    db = compose["services"][f"{service}-db"]
    assert db["image"] == "postgres:16-alpine"
    assert db["ports"] == [f"{url.port}:5432"]
    environment = db["environment"]
    assert environment["POSTGRES_DB"] == url.path.lstrip("/") == service
    assert environment["POSTGRES_USER"] == url.username
    assert environment["POSTGRES_PASSWORD"] == url.password
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    volume = db["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]  # a named volume: data survives `docker compose down`


def test_redis_prometheus_grafana_and_the_localstack_profile(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["redis"]["image"].startswith("redis:7")
    assert host_ports(services["redis"]) == [urlsplit(Settings().redis_url).port]
    assert 3000 not in host_ports(services["grafana"])  # the local host owns 3000
    assert services["localstack"]["profiles"] == ["localstack"]
    assert "host.docker.internal:host-gateway" in services["prometheus"]["extra_hosts"]
    everything = [p for s in services.values() for p in host_ports(s)]
    assert len(everything) == len(set(everything)), "two services publish the same port"
    # LocalStack's Lambda containers join this project's network, reaching <service>-db:5432
    network = services["localstack"]["environment"]["LAMBDA_DOCKER_NETWORK"]
    assert network == f"{compose['name']}_default"


def test_prometheus_scrapes_the_local_host_metrics() -> None:
    from devhost.host import HostConfig

    config = yaml.safe_load((ROOT / "ops/prometheus/prometheus.yml").read_text())
    (job,) = config["scrape_configs"]
    assert job["metrics_path"] == "/_host/metrics"
    assert job["static_configs"][0]["targets"] == [f"host.docker.internal:{HostConfig().port}"]


def test_the_dashboard_uses_only_metrics_the_local_host_exports() -> None:
    from devhost.metering import Metering

    metering = Metering()
    metering.add_function("CourseFunction", 512, "x86_64")
    gauges = {"CourseFunction": {"live": 1, "busy": 1, "idle": 0, "starting": 0}}
    exported = set(re.findall(r"^(devhost_[a-z_]+)", metering.prometheus(gauges), re.MULTILINE))
    dashboard = json.loads((ROOT / "ops/grafana/dashboards/eduplatform-functions.json").read_text())
    expressions = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    assert len(expressions) >= 10
    used = {m for e in expressions for m in re.findall(r"devhost_[a-z_]+", e)}
    assert used and used <= exported
    datasource = yaml.safe_load(
        (ROOT / "ops/grafana/provisioning/datasources/prometheus.yml").read_text()
    )["datasources"][0]
    panel_uids = {p["datasource"]["uid"] for p in dashboard["panels"] if "datasource" in p}
    assert panel_uids == {datasource["uid"]}
