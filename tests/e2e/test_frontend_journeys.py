"""The three browser journeys of the web app, in Debian's Chromium, against the real stack.

The static export is served by the local host (`--static frontend/out`), same origin as `/api`,
with every function pointed at the test databases. The journeys (frontend/e2e/*.mjs, driven by
playwright-core) create their own users through the API; the admin is made the way an operator
makes one (`edu admin create`'s code path).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import template_parameters
from tests.support.accounts import create_admin
from tests.support.lambda_api import REPO_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FRONTEND = REPO_ROOT / "frontend"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _npm(*args: str, env: dict[str, str] | None = None, timeout: float = 900) -> str:
    completed = subprocess.run(
        ["npm", "run", *args],
        cwd=FRONTEND,
        env={**os.environ, "NEXT_TELEMETRY_DISABLED": "1", **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, f"npm run {' '.join(args)} failed:\n{output[-6000:]}"
    return output


@pytest.fixture(scope="module")
def web_host(databases: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The built frontend and the API on one origin, as `make up` serves them."""
    if not (FRONTEND / "node_modules").is_dir():
        pytest.fail("frontend/node_modules is missing: run `make install` (npm ci) first")
    if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    _npm("build:if-stale")
    from devhost.testing import running_host

    with running_host(
        REPO_ROOT / "template.yaml",
        parameter_overrides=template_parameters(databases),
        static_dir=FRONTEND / "out",
        invocation_log=tmp_path_factory.mktemp("web-host") / "invocations.jsonl",
        max_environments=16,
        hot_reload=False,
    ) as host:
        yield host


@pytest.mark.timeout(600)  # the first test here also builds the static export
def test_student_teacher_payment_session_and_focus_journeys_pass_in_a_real_browser(
    web_host: Any, tmp_path: Path
) -> None:
    # Given an admin, and the app served with its API on one origin
    from tests.e2e.test_identity_via_host import HostClient

    admin = create_admin(HostClient(web_host))
    artifacts = REPO_ROOT / "artifacts" / "e2e"

    # When the journeys run in Chromium (student, teacher, payment retry; the session journey:
    # tokens lost at checkout lead to login and back, My learning with the course API failing
    # shows the failure; the focus journey: where keyboard focus lands after each action)
    output = _npm(
        "e2e",
        env={
            "BASE_URL": web_host.url,
            "E2E_ADMIN_EMAIL": admin.email,
            "E2E_ADMIN_PASSWORD": admin.password,
            "CHROMIUM_PATH": CHROMIUM,
            "E2E_ARTIFACTS": str(artifacts),
        },
    )

    # Then each passes, and each left its screenshots behind as test artifacts
    assert "e2e: 5 passed, 0 failed" in output, output[-4000:]
    for journey in ("student", "teacher", "payment-retry", "session"):
        assert any((artifacts / journey).glob("*.png")), journey


def test_login_next_parameter_never_leads_off_site_whatever_its_encoding(web_host: Any) -> None:
    """Issue 11, finding 5 (open redirect): `/login/?next=%2F%09%2Fevil.example%2F` took the
    browser to http://evil.example/ after logging in. Each smuggling variant (tab, newline,
    carriage return, backslash, `//`, schemes, double encoding) is tried in Chromium."""
    # When a student logs in through each crafted link (requests to evil.example are recorded)
    output = _npm(
        "e2e",
        "--",
        "open-redirect",
        env={"BASE_URL": web_host.url, "CHROMIUM_PATH": CHROMIUM},
    )

    # Then every login stayed on the site, and an in-app next still brought them back
    assert "e2e: 1 passed, 0 failed" in output, output[-4000:]


@pytest.mark.timeout(600)
def test_every_page_and_state_has_no_serious_or_critical_axe_violation(web_host: Any) -> None:
    """Issue 16: axe-core in Chromium over every page and state (load errors by request
    interception, logged-out, wrong role) for each role, at 1280x800 and 390x844."""
    # Given an admin (the scans log in as each role)
    from tests.e2e.test_identity_via_host import HostClient

    admin = create_admin(HostClient(web_host))

    # When every page is scanned
    output = _npm(
        "e2e",
        "--",
        "a11y",
        env={
            "BASE_URL": web_host.url,
            "E2E_ADMIN_EMAIL": admin.email,
            "E2E_ADMIN_PASSWORD": admin.password,
            "CHROMIUM_PATH": CHROMIUM,
        },
    )

    # Then none has a serious or critical violation
    assert "e2e: 1 passed, 0 failed" in output, output[-6000:]
