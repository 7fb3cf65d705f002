"""`edu up` chooses the local host's resource model through the environment (the flags of
`edu local start-api` are the same options)."""

from __future__ import annotations

import pytest

from edu_cli.serving import host_resource_options


def test_nothing_chosen_leaves_the_hosts_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "EDU_HOST_RESOURCE_CONTROLS",
        "EDU_HOST_INIT_CPU",
        "EDU_HOST_FREEZE",
        "EDU_HOST_WORKSPACE_PACKAGES",
    ):
        monkeypatch.delenv(name, raising=False)
    assert host_resource_options() == {}


def test_variables_become_host_options(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a shell that turns the controls off, picks INIT's CPU and the workspace's packages
    monkeypatch.setenv("EDU_HOST_RESOURCE_CONTROLS", "0")
    monkeypatch.setenv("EDU_HOST_INIT_CPU", "proportional")
    monkeypatch.setenv("EDU_HOST_FREEZE", "cgroup")
    monkeypatch.setenv("EDU_HOST_WORKSPACE_PACKAGES", "1")
    # Then the host is configured so
    assert host_resource_options() == {
        "resource_controls": False,
        "init_cpu": "proportional",
        "freeze": "cgroup",
        "isolated_packages": False,
    }
