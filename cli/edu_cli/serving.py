"""Serving the stack on one port: the docker-free Lambda host (what `edu up` runs), or the
five FastAPI apps in this process under uvicorn (the seed's shape, without Lambda semantics)."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edu_cli.stack import Stack
from edu_platform import Registry

if TYPE_CHECKING:
    from devhost import HostConfig

OnReady = Callable[[], None]

# The local host's resource model, for `edu up` (and as defaults of `edu local start-api`'s
# flags): variable -> (HostConfig field, how its text becomes the value)
HOST_RESOURCE_VARIABLES: dict[str, tuple[str, Callable[[str], Any]]] = {
    "EDU_HOST_RESOURCE_CONTROLS": ("resource_controls", lambda v: v.lower() not in ("0", "false")),
    "EDU_HOST_INIT_CPU": ("init_cpu", str),
    "EDU_HOST_FREEZE": ("freeze", str),
    "EDU_HOST_WORKSPACE_PACKAGES": (
        "isolated_packages",
        lambda v: v.lower() in ("0", "false"),
    ),
}


def host_resource_options() -> dict[str, Any]:
    """The host's resource options chosen in the environment (see HOST_RESOURCE_VARIABLES)."""
    return {
        field: convert(os.environ[name])
        for name, (field, convert) in HOST_RESOURCE_VARIABLES.items()
        if os.environ.get(name)
    }


def host_config(
    stack: Stack,
    *,
    host: str,
    port: int,
    static: Path | None,
    warm_containers: str,
    invocation_log: Path | None,
    **options: Any,
) -> HostConfig:
    """The local host's configuration for the stack's template and parameters; ``options``
    are the rest of :class:`devhost.HostConfig`'s fields (idle timeout, caps, ...)."""
    from devhost import HostConfig

    options = {**host_resource_options(), **options}  # a command's own flags win
    return HostConfig(
        template=stack.registry.template,
        host=host,
        port=port,
        parameter_overrides=stack.parameters,
        static_dir=static,
        warm_containers=warm_containers.upper(),
        invocation_log=invocation_log,
        **options,
    )


def serve_with_host(config: HostConfig, on_ready: OnReady | None = None) -> None:
    """Serve until SIGINT/SIGTERM (the host stops its execution environments itself)."""
    from devhost import Host

    server = Host(config).start()
    if on_ready is not None:
        on_ready()
    server.serve_forever()


def dispatcher(registry: Registry, functions: Sequence[str]) -> Any:
    """One ASGI app over the functions' apps: each request goes to the function whose
    template route matches it, as API Gateway would send it."""
    apps = {
        name: importlib.import_module(f"{registry.function(name).package}.app").create_app()
        for name in functions
    }
    fallback = next(iter(apps.values()))  # its own 404/405, in the shared error shape

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            message = await receive()
            while message["type"] != "lifespan.shutdown":
                await send({"type": message["type"] + ".complete"})
                message = await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        owner = registry.function_for(scope.get("method", "GET"), scope["path"])
        app = apps.get(owner.name, fallback) if owner is not None else fallback
        await app(scope, receive, send)

    return asgi


def serve_with_uvicorn(
    stack: Stack,
    *,
    host: str,
    port: int,
    functions: Sequence[str] = (),
    on_ready: OnReady | None = None,
    log_level: str = "warning",
) -> None:
    """The functions' apps (all by default) in this process under uvicorn, their settings
    read from the stack's parameters."""
    import uvicorn

    os.environ.update(stack.shell_environment())
    app = dispatcher(stack.registry, functions or stack.registry.names)
    # proxy_headers off: uvicorn would otherwise take the client's address from the
    # X-Forwarded-For a local caller writes, and identity's per-client limits count addresses.
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, proxy_headers=False)
    server = uvicorn.Server(config)
    if on_ready is not None:
        original_startup = server.startup

        async def startup(sockets: Any = None) -> None:
            await original_startup(sockets)
            on_ready()

        server.startup = startup  # type: ignore[method-assign]
    server.run()
