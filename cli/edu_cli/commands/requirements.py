"""`edu requirements`: the requirements.txt files `sam build` needs, generated from uv.lock.

The layer carries the shared third-party packages; each function's file lists only what the
layer does not already provide, so a package is shipped once. `--check` fails when a file has
drifted from the lock (CI runs it).
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Annotated

import typer

from edu_platform import load_registry

REPO_ROOT = Path(__file__).resolve().parents[3]
LAYER_REQUIREMENTS = REPO_ROOT / "layers/common/python/requirements.txt"
HEADER = "# Generated from uv.lock by `edu requirements`; do not edit by hand.\n"


def _export(package: str) -> list[str]:
    output = subprocess.run(
        [
            "uv", "export", "--package", package, "--frozen", "--no-dev", "--no-hashes",
            "--no-emit-workspace", "--no-header", "--no-annotate",
        ],
        cwd=REPO_ROOT, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return [line for line in output.splitlines() if line and not line.startswith("#")]


def expected_files() -> dict[Path, str]:
    layer = _export("edu-common")
    files = {LAYER_REQUIREMENTS: HEADER + "\n".join(layer) + "\n"}
    provided = {line.split("==")[0].lower() for line in layer}
    for function in load_registry().functions:
        own = [
            r
            for r in _export(f"edu-{function.package}")
            if r.split("==")[0].lower() not in provided
        ]
        body = (
            "\n".join(own) + "\n" if own else "# everything this function needs is in the layer\n"
        )
        files[function.code_dir / "requirements.txt"] = HEADER + body
    return files


def requirements(
    check: Annotated[
        bool, typer.Option("--check", help="Fail if a file differs from the lock; write nothing.")
    ] = False,
) -> None:
    """Write (or --check) the layer's and each function's requirements.txt from uv.lock."""
    drifted = []
    for path, content in expected_files().items():
        current = path.read_text() if path.exists() else None
        if current == content:
            continue
        drifted.append(path.relative_to(REPO_ROOT))
        if not check:
            path.write_text(content)
    if check and drifted:
        names = ", ".join(str(p) for p in drifted)
        typer.secho(f"out of date with uv.lock: {names} (run `edu requirements`)", fg="red")
        raise typer.Exit(1)
    typer.echo("requirements up to date" if not drifted else f"wrote {len(drifted)} file(s)")
