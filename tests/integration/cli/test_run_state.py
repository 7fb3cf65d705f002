"""`edu down` facing a corrupt state file (issue 15, item 4): a clear message instead of a
traceback. Through the real CLI, in a state folder of the test's own. (A pid reused by another
process: tests/security/test_edu_down_never_signals_a_reused_pid.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import run_edu_with_state as edu_with_state


@pytest.mark.parametrize(
    "content",
    [b"{not json", b'{"pid": 4242}', b'["pid", 1]', b'{"pid": "1", "url": "http://x"}'],
    ids=["truncated", "no url", "a list", "pid a string"],
)
def test_down_with_a_corrupt_state_file_explains_instead_of_a_traceback(
    tmp_path: Path, content: bytes
) -> None:
    # Given an up.json that holds no run
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "up.json").write_bytes(content)

    # When the developer runs `edu down`
    result = edu_with_state("down", "--keep-databases", state=tmp_path)

    # Then it says what is wrong with which file, and nothing crashes
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "is not a run's state" in result.stdout
    assert "up.json" in result.stdout
