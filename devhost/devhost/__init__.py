"""A docker-free local host for AWS SAM templates: API Gateway HTTP API (payload format 2.0)
in front of Lambda execution environments that are real OS processes running AWS's runtime
interface client against the host's own Lambda Runtime API.

Programmatic use::

    from devhost import Host, HostConfig

    with Host(HostConfig(template="template.yaml", port=0)) as host:
        ...  # requests to host.url

``run_host(HostConfig(...))`` serves until SIGINT/SIGTERM (the CLI's entry point).
``load_template(path)`` reads a template into the host's model without running anything.

Layout: ``cfn/`` (the generic template document, parameters, intrinsics) → ``template``
(the host's model of functions and routes); ``runtime/`` (Lambda: environments, pools,
invoke); ``gateway/`` (API Gateway: routes, events, static files, the control API);
``http/`` (the HTTP/1.1 transport); ``host`` puts them together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Host", "HostConfig", "TemplateError", "load_template", "read_template", "run_host"]

if TYPE_CHECKING:
    from devhost.host import Host, HostConfig, run_host
    from devhost.template import TemplateError, load_template, read_template


def __getattr__(name: str) -> Any:
    # Lazy, so that ``import devhost.template`` (a load-test process) stays light.
    if name in ("Host", "HostConfig", "run_host"):
        from devhost import host

        return getattr(host, name)
    if name in ("TemplateError", "load_template", "read_template"):
        from devhost import template

        return getattr(template, name)
    raise AttributeError(name)
