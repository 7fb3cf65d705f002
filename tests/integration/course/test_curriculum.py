"""Modules and lessons: explicit, dense, stable order; exact counts; owner-only writes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.course.helpers import (
    MISSING_ID,
    NOT_THE_OWNER,
    Cast,
    add_lesson,
    add_module,
    cast,
    create_course,
    error_code,
    token_of,
)
from tests.support.lambda_api import HandlerClient, Platform


@pytest.fixture
def people() -> Cast:
    return cast()


def _curriculum(platform: Platform, course_id: str, token: str | None = None) -> dict[str, Any]:
    response = platform.get(f"/api/courses/{course_id}/curriculum", token=token)
    assert response.status == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _module_titles(platform: Platform, course_id: str) -> list[tuple[int, str]]:
    return [(m["position"], m["title"]) for m in _curriculum(platform, course_id)["modules"]]


def _counts(platform: Platform, course_id: str, token: str | None = None) -> tuple[int, int]:
    course = platform.get(f"/api/courses/{course_id}", token=token).json()
    return course["module_count"], course["lesson_count"]


def test_the_curriculum_lists_modules_and_lessons_in_order(
    platform: Platform, people: Cast
) -> None:
    # Given a course with two modules, the first with two lessons
    course = create_course(platform, people.teacher)
    intro = add_module(platform, people.teacher, course["id"], "Intro")
    assert intro == {"id": intro["id"], "course_id": course["id"], "title": "Intro", "position": 0}
    deeper = add_module(platform, people.teacher, course["id"], "Deeper")
    first = add_lesson(platform, people.teacher, intro["id"], "Setup", duration_minutes=5)
    second = add_lesson(platform, people.teacher, intro["id"], "Hello")
    assert set(first) == {
        "id",
        "module_id",
        "course_id",
        "title",
        "content",
        "duration_minutes",
        "position",
        "is_preview",
    }
    assert (first["position"], second["position"]) == (0, 1)

    # When anyone reads the curriculum
    curriculum = _curriculum(platform, course["id"])

    # Then it is ordered, nested, and carries no lesson content
    assert curriculum["course_id"] == course["id"]
    assert [m["id"] for m in curriculum["modules"]] == [intro["id"], deeper["id"]]
    lessons = curriculum["modules"][0]["lessons"]
    assert [lesson["title"] for lesson in lessons] == ["Setup", "Hello"]
    assert lessons[0] == {
        "id": first["id"],
        "module_id": intro["id"],
        "course_id": course["id"],
        "title": "Setup",
        "duration_minutes": 5,
        "position": 0,
        "is_preview": False,
    }
    assert curriculum["modules"][1]["lessons"] == []
    assert _counts(platform, course["id"]) == (2, 2)

    # And the full lesson has its content (for its teacher; tests/security has everyone else)
    lesson = platform.get(f"/api/lessons/{first['id']}", token=people.teacher.token).json()
    assert lesson["content"] == "All about Setup."


def test_modules_are_inserted_where_asked_or_appended(platform: Platform, people: Cast) -> None:
    # Given a course with modules A and B
    cid = create_course(platform, people.teacher)["id"]
    add_module(platform, people.teacher, cid, "A")
    add_module(platform, people.teacher, cid, "B")

    # When C is inserted at 1 and D asked for a position past the end
    add_module(platform, people.teacher, cid, "C", position=1)
    add_module(platform, people.teacher, cid, "D", position=99)

    # Then C stands between A and B and D is appended, positions dense
    assert _module_titles(platform, cid) == [(0, "A"), (1, "C"), (2, "B"), (3, "D")]


@pytest.mark.parametrize(
    ("change", "order", "position"),
    [
        ({"position": 2}, [(0, "B"), (1, "C"), (2, "A"), (3, "D")], 2),
        ({"position": 0, "title": "A!"}, [(0, "A!"), (1, "B"), (2, "C"), (3, "D")], 0),
        ({"position": 1000}, [(0, "B"), (1, "C"), (2, "D"), (3, "A")], 3),
    ],
    ids=["down", "in-place-renamed", "past-the-end-is-last"],
)
def test_a_moved_module_shifts_its_siblings(
    platform: Platform,
    people: Cast,
    change: dict[str, Any],
    order: list[tuple[int, str]],
    position: int,
) -> None:
    # Given modules A, B, C, D
    cid = create_course(platform, people.teacher)["id"]
    a, *_ = [add_module(platform, people.teacher, cid, title) for title in "ABCD"]

    # When A is moved (and maybe renamed)
    moved = platform.patch(f"/api/modules/{a['id']}", json=change, token=people.teacher.token)

    # Then it lands where asked, within bounds, and the others close ranks
    assert (moved.status, moved.json()["position"]) == (200, position)
    assert _module_titles(platform, cid) == order


def test_a_deleted_module_leaves_no_gap(platform: Platform, people: Cast) -> None:
    # Given modules A, B, C
    cid = create_course(platform, people.teacher)["id"]
    a, *_ = [add_module(platform, people.teacher, cid, title) for title in "ABC"]

    # When A is deleted
    assert platform.delete(f"/api/modules/{a['id']}", token=people.teacher.token).status == 204

    # Then B and C move up and the course counts two modules
    assert _module_titles(platform, cid) == [(0, "B"), (1, "C")]
    assert _counts(platform, cid) == (2, 0)


def _lesson_order(platform: Platform, course_id: str) -> list[tuple[int, str]]:
    modules = _curriculum(platform, course_id)["modules"]
    return [(lesson["position"], lesson["title"]) for lesson in modules[0]["lessons"]]


def test_lessons_are_inserted_moved_and_changed_in_place(platform: Platform, people: Cast) -> None:
    # Given a module with lessons "one" and "two", and "zero" inserted first
    course = create_course(platform, people.teacher)
    module = add_module(platform, people.teacher, course["id"], "M")
    one = add_lesson(platform, people.teacher, module["id"], "one")
    add_lesson(platform, people.teacher, module["id"], "two")
    add_lesson(platform, people.teacher, module["id"], "zero", position=0)
    assert _lesson_order(platform, course["id"]) == [(0, "zero"), (1, "one"), (2, "two")]

    # When "one" is moved last and every field of it changed
    changed = platform.patch(
        f"/api/lessons/{one['id']}",
        json={"position": 2, "title": "ONE", "content": "new", "duration_minutes": 42},
        token=people.teacher.token,
    )

    # Then it is, the others close ranks, and the counts are unchanged
    assert changed.status == 200
    assert (changed.json()["content"], changed.json()["duration_minutes"]) == ("new", 42)
    assert _lesson_order(platform, course["id"]) == [(0, "zero"), (1, "two"), (2, "ONE")]
    assert _counts(platform, course["id"]) == (1, 3)


def test_a_deleted_lesson_leaves_no_gap_and_is_uncounted(platform: Platform, people: Cast) -> None:
    # Given a module with three lessons
    course = create_course(platform, people.teacher)
    module = add_module(platform, people.teacher, course["id"], "M")
    first, *_ = [add_lesson(platform, people.teacher, module["id"], t) for t in ("a", "b", "c")]

    # When the first is deleted
    assert platform.delete(f"/api/lessons/{first['id']}", token=people.teacher.token).status == 204

    # Then it is gone, the others move up and the course counts two lessons
    assert platform.get(f"/api/lessons/{first['id']}").status == 404
    assert _lesson_order(platform, course["id"]) == [(0, "b"), (1, "c")]
    assert _counts(platform, course["id"]) == (1, 2)


def test_a_deleted_module_takes_its_lessons_and_their_count(
    platform: Platform, people: Cast
) -> None:
    course = create_course(platform, people.teacher)
    module = add_module(platform, people.teacher, course["id"], "M")
    add_lesson(platform, people.teacher, module["id"], "one")
    add_lesson(platform, people.teacher, module["id"], "two")
    assert platform.delete(f"/api/modules/{module['id']}", token=people.teacher.token).status == 204
    assert _counts(platform, course["id"]) == (0, 0)


def test_deleting_a_course_deletes_its_curriculum(platform: Platform, people: Cast) -> None:
    # Given a course with a module and a lesson
    course = create_course(platform, people.teacher)
    module = add_module(platform, people.teacher, course["id"], "M")
    lesson = add_lesson(platform, people.teacher, module["id"], "L")

    # When the course is deleted
    assert platform.delete(f"/api/courses/{course['id']}", token=people.teacher.token).status == 204

    # Then its lesson and module are gone with it
    assert platform.get(f"/api/lessons/{lesson['id']}", token=people.teacher.token).status == 404
    gone = platform.patch(
        f"/api/modules/{module['id']}", json={"title": "x"}, token=people.teacher.token
    )
    assert (gone.status, error_code(gone)) == (404, "module_not_found")


# Every curriculum write: (method, path with {course}/{module}/{lesson}, body).
WRITES = {
    "add-module": ("POST", "/api/courses/{course}/modules", {"title": "x"}),
    "change-module": ("PATCH", "/api/modules/{module}", {"title": "x"}),
    "delete-module": ("DELETE", "/api/modules/{module}", None),
    "add-lesson": ("POST", "/api/modules/{module}/lessons", {"title": "x"}),
    "change-lesson": ("PATCH", "/api/lessons/{lesson}", {"title": "x"}),
    "delete-lesson": ("DELETE", "/api/lessons/{lesson}", None),
}


@pytest.mark.parametrize(
    ("caller", "status", "code"),
    NOT_THE_OWNER,
)
@pytest.mark.parametrize("write", list(WRITES))
def test_only_the_owner_writes_the_curriculum(
    platform: Platform, people: Cast, write: str, caller: str, status: int, code: str
) -> None:
    # Given a course with a module and a lesson
    course = create_course(platform, people.teacher)
    module = add_module(platform, people.teacher, course["id"], "M")
    lesson = add_lesson(platform, people.teacher, module["id"], "L")

    # When anyone but its owner tries to change the curriculum
    method, path, body = WRITES[write]
    token = token_of(people, caller)
    refused = platform.request(
        method,
        path.format(course=course["id"], module=module["id"], lesson=lesson["id"]),
        json_body=body,
        token=token,
    )

    # Then they are refused and nothing changed
    assert (refused.status, error_code(refused)) == (status, code)
    curriculum = _curriculum(platform, course["id"])
    assert [m["title"] for m in curriculum["modules"]] == ["M"]
    assert [x["title"] for x in curriculum["modules"][0]["lessons"]] == ["L"]


@pytest.fixture
def draft_with_a_lesson(platform: Platform, people: Cast) -> tuple[str, str]:
    """An unverified teacher's draft with one module and one lesson: (course id, lesson id)."""
    draft = create_course(platform, people.unverified_teacher, is_published=False)
    module = add_module(platform, people.unverified_teacher, draft["id"], "M")
    lesson = add_lesson(platform, people.unverified_teacher, module["id"], "L")
    return draft["id"], lesson["id"]


@pytest.mark.parametrize("reader", ["unverified_teacher", "admin"], ids=["owner", "admin"])
def test_the_owner_and_admins_read_a_drafts_curriculum(
    platform: Platform, people: Cast, draft_with_a_lesson: tuple[str, str], reader: str
) -> None:
    course_id, lesson_id = draft_with_a_lesson
    token = getattr(people, reader).token
    assert len(_curriculum(platform, course_id, token)["modules"]) == 1
    assert platform.get(f"/api/lessons/{lesson_id}", token=token).status == 200


@pytest.mark.parametrize("reader", ["anonymous", "student", "other_teacher"])
def test_nobody_else_reads_a_drafts_curriculum(
    platform: Platform, people: Cast, draft_with_a_lesson: tuple[str, str], reader: str
) -> None:
    course_id, lesson_id = draft_with_a_lesson
    token = token_of(people, reader)
    assert platform.get(f"/api/courses/{course_id}/curriculum", token=token).status == 404
    assert platform.get(f"/api/lessons/{lesson_id}", token=token).status == 404


# Every curriculum route that names something: (method, path with {id}, body).
ADDRESSED = {
    "curriculum": ("GET", "/api/courses/{id}/curriculum", None),
    "add-module": ("POST", "/api/courses/{id}/modules", {"title": "x"}),
    "change-module": ("PATCH", "/api/modules/{id}", {"title": "x"}),
    "delete-module": ("DELETE", "/api/modules/{id}", None),
    "add-lesson": ("POST", "/api/modules/{id}/lessons", {"title": "x"}),
    "read-lesson": ("GET", "/api/lessons/{id}", None),
    "change-lesson": ("PATCH", "/api/lessons/{id}", {"title": "x"}),
    "delete-lesson": ("DELETE", "/api/lessons/{id}", None),
}


@pytest.mark.parametrize(("target", "status"), [(MISSING_ID, 404), ("not-a-uuid", 422)])
@pytest.mark.parametrize("route", list(ADDRESSED))
def test_what_does_not_exist_is_404_and_a_bad_id_422(
    handlers: dict[str, Any], people: Cast, route: str, target: str, status: int
) -> None:
    # No data needed: no clean databases, so these stay fast.
    method, path, body = ADDRESSED[route]
    response = HandlerClient(handlers["course"], "course").request(
        method, path.format(id=target), json_body=body, token=people.teacher.token
    )
    assert response.status == status, response.text


@pytest.mark.parametrize(
    ("where", "body"),
    [
        ("course", {"title": ""}),
        ("course", {"title": "x", "position": -1}),
        ("course", {"title": "x" * 201}),
        ("module", {"title": "x", "duration_minutes": -1}),
        ("module", {"title": "x", "position": "first"}),
        ("module", {"title": "x", "content": "c" * 100_001}),
    ],
    ids=[
        "module-blank-title",
        "module-negative-position",
        "module-long-title",
        "lesson-negative-duration",
        "lesson-position-not-a-number",
        "lesson-long-content",
    ],
)
def test_an_invalid_module_or_lesson_is_a_422(
    platform: Platform, people: Cast, where: str, body: dict[str, Any]
) -> None:
    course = create_course(platform, people.teacher)
    module = add_module(platform, people.teacher, course["id"], "M")
    path = {
        "course": f"/api/courses/{course['id']}/modules",
        "module": f"/api/modules/{module['id']}/lessons",
    }[where]
    assert platform.post(path, json=body, token=people.teacher.token).status == 422


def test_a_null_in_a_patch_is_a_422(platform: Platform, people: Cast) -> None:
    course = create_course(platform, people.teacher)
    module = add_module(platform, people.teacher, course["id"], "M")
    response = platform.patch(
        f"/api/modules/{module['id']}", json={"title": None}, token=people.teacher.token
    )
    assert response.status == 422


def test_a_body_that_is_not_json_is_a_400(platform: Platform, people: Cast) -> None:
    course = create_course(platform, people.teacher)
    response = platform.request(
        "POST",
        f"/api/courses/{course['id']}/modules",
        raw_body="title=x",
        headers={"content-type": "application/json"},
        token=people.teacher.token,
    )
    assert response.status == 400
