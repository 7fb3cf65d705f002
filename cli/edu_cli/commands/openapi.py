"""`edu openapi`: the five functions' OpenAPI documents, written from their apps in-process.

The frontend's API types are generated from these documents (`make openapi` runs this, then
openapi-typescript), so the contract the functions serve at `/api/<function>/openapi.json` is
the one the web app is type-checked against. `--check` writes nothing and fails when a committed
document differs from what the apps serve now (`make test` runs it).
"""

from __future__ import annotations

import importlib
import json
import os
import secrets
from pathlib import Path
from typing import Annotated, Any

import typer

from edu_platform import load_registry

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_OUT = REPO_ROOT / "frontend" / "openapi"


def documents() -> dict[str, dict[str, Any]]:
    """Each function's OpenAPI document, by function name, as its app serves it."""
    # Building an app reads its settings; the documents do not depend on the secret, so a
    # throwaway one satisfies a function that refuses to start without a strong secret.
    os.environ.setdefault("JWT_SECRET", secrets.token_urlsafe(48))
    registry = load_registry()
    return {
        function.name: importlib.import_module(f"{function.package}.app").create_app().openapi()
        for function in registry.functions
    }


def render(document: dict[str, Any]) -> str:
    """Stable text for a document: sorted keys, so a diff shows only what changed."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def openapi(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for <function>.json.", file_okay=False)
    ] = DEFAULT_OUT,
    check: Annotated[
        bool,
        typer.Option("--check", help="Fail if a written document differs; write nothing."),
    ] = False,
) -> None:
    """Write (or --check) each function's OpenAPI document as <out>/<function>.json."""
    drifted = []
    for name, document in documents().items():
        path = out / f"{name}.json"
        content = render(document)
        if path.exists() and path.read_text() == content:
            continue
        drifted.append(path)
        if not check:
            out.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
    if check and drifted:
        names = ", ".join(str(p) for p in drifted)
        typer.secho(
            f"OpenAPI documents out of date: {names} (run `make openapi`, then commit)",
            fg="red",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(
        "OpenAPI documents up to date" if not drifted else f"wrote {len(drifted)} document(s)"
    )
