"""Shared fixtures: a host on the fixture template (module-scoped, reset per test)."""

from __future__ import annotations

import sys

# pytest's importlib mode names this file ``devhost.tests.conftest`` and registers the
# project folder ``devhost/`` (no __init__.py) as a namespace package called ``devhost``,
# shadowing the real package ``devhost/devhost``. Drop that placeholder so the imports
# below find the real package.
_placeholder = sys.modules.get("devhost")
if _placeholder is not None and getattr(_placeholder, "__file__", None) is None:
    del sys.modules["devhost"]

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from devhost import Host  # noqa: E402
from devhost.testing import make_host, wait_for  # noqa: E402

TEMPLATE = Path(__file__).parent / "fixtures" / "template.yaml"


@pytest.fixture(scope="module")
def shared_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    tmp = tmp_path_factory.mktemp("devhost")
    host = make_host(TEMPLATE, invocation_log=tmp / "invocations.jsonl")
    yield host
    host.stop()


@pytest.fixture
def host(shared_host: Host) -> Host:
    """The module's host with every environment ended, metrics and captured logs cleared."""
    shared_host.reset(metrics=True)
    assert wait_for(lambda: all(g["live"] == 0 for g in shared_host.gauges().values()))
    shared_host.invocation_log.truncate()
    if shared_host.log.lines is not None:
        shared_host.log.lines.clear()
    return shared_host
