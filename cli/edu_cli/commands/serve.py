"""`edu serve --uvicorn`: the seed's original shape, the five apps as plain ASGI apps.

Kept to compare against the Lambda host: the same apps, no execution environments. One
uvicorn process serves them all on one port, each request going to the function whose
template route matches it (as API Gateway sends it).
"""

from __future__ import annotations

from typing import Annotated

import typer

from edu_cli.options import ParameterOverrides, fail, stack_or_exit


def serve(
    uvicorn: Annotated[bool, typer.Option("--uvicorn", help="Serve with uvicorn.")] = True,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 3000,
    function: Annotated[
        list[str] | None, typer.Option("--function", "-f", help="Only these functions.")
    ] = None,
    parameter_overrides: ParameterOverrides = None,
) -> None:
    """Serve the functions' FastAPI apps directly with uvicorn (no Lambda host)."""
    from edu_cli.serving import serve_with_uvicorn
    from edu_platform import UnknownFunction

    stack = stack_or_exit(parameter_overrides)
    try:
        names = [stack.registry.function(name).name for name in function or stack.registry.names]
    except UnknownFunction as exc:
        raise fail(exc, 2) from exc
    typer.echo(f"serving {', '.join(names)} on http://{host}:{port}/api (uvicorn)")
    serve_with_uvicorn(stack, host=host, port=port, functions=names, log_level="info")
