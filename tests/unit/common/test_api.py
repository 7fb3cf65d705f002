"""The app every function is built on, through its Lambda handler: the one error shape with
the status and headers each error calls for, and responses built from domain values."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from fastapi import APIRouter

from edu_common.api import create_service_app, lambda_handler
from edu_common.deps import PageParams
from edu_common.errors import Conflict, DomainError, RateLimited, Unauthorized
from edu_common.pagination import Slice
from edu_common.schemas import Page, ResponseModel
from edu_common.settings import load_settings
from tests.support.lambda_api import HandlerClient

probe = APIRouter(prefix="/api/probe")


@dataclass(frozen=True, slots=True)
class Thing:
    id: uuid.UUID
    name: str
    secret: str


class ThingResponse(ResponseModel):
    id: uuid.UUID
    name: str
    note: str | None = None


THINGS = [Thing(uuid.uuid4(), f"thing {n}", "hidden") for n in range(3)]

ERRORS: dict[str, DomainError] = {
    "conflict": Conflict("Already there.", code="already_there"),
    "unauthorized": Unauthorized(),
    "rate-limited": RateLimited("Slow down.", retry_after_seconds=30),
    "rate-limited-below-a-second": RateLimited(retry_after_seconds=0),
}


@probe.get("/errors/{name}")
async def raise_error(name: str) -> None:
    raise ERRORS[name]


@probe.get("/crash")
async def crash() -> None:
    raise RuntimeError("a bug")


@probe.get("/things")
async def things(page: PageParams) -> Page[ThingResponse]:
    found = Slice(THINGS[page.offset : page.offset + page.limit], total=len(THINGS))
    return Page[ThingResponse].of(found, page)


@probe.get("/things/first")
async def first_thing() -> ThingResponse:
    return ThingResponse.of(THINGS[0], note="the first")


@pytest.fixture(scope="module")
def api() -> HandlerClient:
    settings = load_settings("probe", database_url="postgresql://127.0.0.1:1/unused")
    app = create_service_app("probe", routers=[probe], title="Probe", settings=settings)
    return HandlerClient(lambda_handler(app), "probe")


@pytest.mark.parametrize(
    ("name", "status", "code", "headers"),
    [
        ("conflict", 409, "already_there", {}),
        ("unauthorized", 401, "unauthorized", {"www-authenticate": "Bearer"}),
        ("rate-limited", 429, "rate_limited", {"retry-after": "30"}),
        ("rate-limited-below-a-second", 429, "rate_limited", {"retry-after": "1"}),
    ],
    ids=list(ERRORS),
)
def test_a_domain_error_answers_its_status_code_and_headers(
    api: HandlerClient, name: str, status: int, code: str, headers: dict[str, str]
) -> None:
    # When a route raises a domain error
    response = api.get(f"/api/probe/errors/{name}")

    # Then the caller gets its status, its code and message in the one shape, and its headers
    assert response.status == status
    assert response.json() == {
        "error": {"code": code, "message": ERRORS[name].message, "details": []}
    }
    assert {k: response.headers[k] for k in headers} == headers


def test_a_bug_is_a_500_in_the_same_shape_without_a_stack_trace(api: HandlerClient) -> None:
    response = api.get("/api/probe/crash")
    assert response.status == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "RuntimeError" not in response.text


def test_an_unknown_route_is_a_404_in_the_same_shape(api: HandlerClient) -> None:
    response = api.get("/api/probe/nowhere")
    assert (response.status, response.json()["error"]["code"]) == (404, "not_found")


def test_a_page_holds_the_asked_slice_and_the_total(api: HandlerClient) -> None:
    body = api.get("/api/probe/things", query={"limit": 2, "offset": 1}).json()
    assert body == {
        "items": [{"id": str(t.id), "name": t.name, "note": None} for t in THINGS[1:3]],
        "total": 3,
        "limit": 2,
        "offset": 1,
    }


def test_a_response_shows_only_its_own_fields_plus_what_the_route_adds(
    api: HandlerClient,
) -> None:
    body = api.get("/api/probe/things/first").json()
    assert body == {"id": str(THINGS[0].id), "name": "thing 0", "note": "the first"}


def test_every_response_names_the_function(api: HandlerClient) -> None:
    assert api.get("/api/probe/health").headers["x-function-name"] == "probe"
