"""`edu serve --uvicorn`: the seed's original shape, the five apps as plain ASGI processes.

Kept to compare against the Lambda host: the same apps, no execution environments. One
uvicorn process serves all five apps on one port, dispatching each request to the app whose
routes match it (as API Gateway does with the template's routes).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Annotated, Any

import typer


def dispatcher(services: list[str]) -> Any:
    from starlette.routing import Match

    apps = [importlib.import_module(f"{name}.app").create_app() for name in services]

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            message = await receive()
            while message["type"] != "lifespan.shutdown":
                await send({"type": message["type"] + ".complete"})
                message = await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        for app in apps:
            for route in app.router.routes:
                match, _ = route.matches(scope)
                if match is Match.FULL:
                    await app(scope, receive, send)
                    return
        await apps[0](scope, receive, send)  # the app's own 404/405 in the shared error shape

    return asgi


def serve(
    uvicorn: Annotated[bool, typer.Option("--uvicorn", help="Serve with uvicorn.")] = True,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 3000,
    function: Annotated[
        list[str] | None, typer.Option("--function", "-f", help="Only these functions.")
    ] = None,
) -> None:
    """Serve the functions' FastAPI apps directly with uvicorn (no Lambda host)."""
    import uvicorn as server

    from edu_cli import services as registry

    names = [s.name for s in registry.select(function)]
    available = [n for n in names if importlib.util.find_spec(f"{n}.app") is not None]
    typer.echo(f"serving {', '.join(available)} on http://{host}:{port}/api (uvicorn)")
    server.run(dispatcher(available), host=host, port=port, log_level="info")
