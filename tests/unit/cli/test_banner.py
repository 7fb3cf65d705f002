"""Given `edu up` (what `make up` runs) serving, when it prints its banner, then the banner
links every place a developer looks: the web app, the API, its docs, the host's dashboard and
its meters."""

from __future__ import annotations

from pathlib import Path

import pytest

from edu_cli.commands.up import print_banner
from edu_cli.stack import load_stack

URL = "http://127.0.0.1:3000"


def test_the_banner_links_the_hosts_dashboard(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EDU_STATE_DIR", str(tmp_path))
    print_banner(URL, tmp_path, load_stack([]))
    lines = capsys.readouterr().out.splitlines()
    assert any(line.split()[:3] == ["host", "dashboard", f"{URL}/_host/"] for line in lines)
