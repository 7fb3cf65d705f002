"""The contract between template.yaml and the code: API Gateway sends each function exactly
the routes its FastAPI app serves. A route added to an app but not to the template would be
unreachable once deployed; one in the template but not in the app would answer 404."""

from __future__ import annotations

import importlib

import pytest

from edu_common.settings import load_settings
from edu_platform import load_registry

REGISTRY = load_registry()


def app_routes(package: str) -> set[str]:
    """``METHOD path`` of every route the function's app serves: its OpenAPI operations
    (the documented API) plus the OpenAPI document and docs pages themselves."""
    # Explicit settings: the app's default would cache this process's settings before the
    # suite points the functions at their test databases.
    app = importlib.import_module(f"{package}.app").create_app(load_settings(package))
    served = {
        f"{method.upper()} {path}"
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    return served | {f"GET {app.openapi_url}", f"GET {app.docs_url}"}


@pytest.mark.parametrize("function", REGISTRY.functions, ids=REGISTRY.names)
def test_the_app_serves_exactly_the_functions_routes_in_the_template(function) -> None:  # type: ignore[no-untyped-def]
    template_routes = {route.key for route in function.routes}
    assert app_routes(function.package) == template_routes
