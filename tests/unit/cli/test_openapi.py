"""Given the five functions' apps, when `edu openapi` writes their documents, then each is what
the function serves at /api/<function>/openapi.json, and `--check` fails on a drifted copy."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from edu_cli.main import app
from edu_platform import load_registry

runner = CliRunner()


def test_writes_one_document_per_function_of_the_template(tmp_path: Path) -> None:
    # When the documents are written into an empty folder
    result = runner.invoke(app, ["openapi", "--out", str(tmp_path)])

    # Then there is one per function, each with that function's API routes (the template also
    # routes the documentation pages themselves, which a document does not list)
    assert result.exit_code == 0, result.output
    registry = load_registry()
    assert sorted(p.stem for p in tmp_path.glob("*.json")) == sorted(registry.names)
    for function in registry.functions:
        document = json.loads((tmp_path / f"{function.name}.json").read_text())
        served = {(m.upper(), path) for path, ops in document["paths"].items() for m in ops}
        documented = {
            (r.method, r.path)
            for r in function.routes
            if not r.path.endswith(("/openapi.json", "/docs"))
        }
        assert documented <= served


def test_check_passes_on_fresh_documents_and_writes_nothing(tmp_path: Path) -> None:
    # Given freshly written documents
    runner.invoke(app, ["openapi", "--out", str(tmp_path)])
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}

    # When they are checked
    result = runner.invoke(app, ["openapi", "--out", str(tmp_path), "--check"])

    # Then the check passes and no file was touched
    assert result.exit_code == 0, result.output
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before


def test_check_fails_naming_a_drifted_document_and_keeps_it(tmp_path: Path) -> None:
    # Given a committed course document that lost a route
    runner.invoke(app, ["openapi", "--out", str(tmp_path)])
    course = tmp_path / "course.json"
    document = json.loads(course.read_text())
    del document["paths"]["/api/courses"]
    stale = json.dumps(document)
    course.write_text(stale)

    # When the documents are checked
    result = runner.invoke(app, ["openapi", "--out", str(tmp_path), "--check"])

    # Then the check fails, names the file and the fix, and leaves the file as it was
    assert result.exit_code == 1
    assert "course.json" in result.output and "make openapi" in result.output
    assert course.read_text() == stale
