"""Modules and lessons: explicit, dense, stable order; exact counts; owner-only writes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.course.helpers import (
    MISSING_ID,
    Cast,
    add_lesson,
    add_module,
    cast,
    create_course,
    error_code,
)
from tests.support.lambda_api import Platform


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
    }
    assert curriculum["modules"][1]["lessons"] == []
    assert _counts(platform, course["id"]) == (2, 2)

    # And the full lesson has its content
    lesson = platform.get(f"/api/lessons/{first['id']}").json()
    assert lesson["content"] == "All about Setup."


def test_modules_insert_move_and_delete_keep_positions_dense(
    platform: Platform, people: Cast
) -> None:
    course = create_course(platform, people.teacher)
    cid = course["id"]
    a = add_module(platform, people.teacher, cid, "A")
    add_module(platform, people.teacher, cid, "B")
    add_module(platform, people.teacher, cid, "C", position=1)  # inserted between A and B
    add_module(platform, people.teacher, cid, "D", position=99)  # past the end: appended
    assert _module_titles(platform, cid) == [(0, "A"), (1, "C"), (2, "B"), (3, "D")]

    moved = platform.patch(
        f"/api/modules/{a['id']}", json={"position": 2}, token=people.teacher.token
    )
    assert moved.status == 200
    assert moved.json()["position"] == 2
    assert _module_titles(platform, cid) == [(0, "C"), (1, "B"), (2, "A"), (3, "D")]

    platform.patch(
        f"/api/modules/{a['id']}", json={"position": 0, "title": "A!"}, token=people.teacher.token
    )
    assert _module_titles(platform, cid) == [(0, "A!"), (1, "C"), (2, "B"), (3, "D")]
    last = platform.patch(
        f"/api/modules/{a['id']}", json={"position": 1000}, token=people.teacher.token
    )
    assert last.json()["position"] == 3

    assert platform.delete(f"/api/modules/{a['id']}", token=people.teacher.token).status == 204
    assert _module_titles(platform, cid) == [(0, "C"), (1, "B"), (2, "D")]
    assert _counts(platform, cid) == (3, 0)


def test_lessons_insert_move_and_delete_keep_positions_and_counts(
    platform: Platform, people: Cast
) -> None:
    course = create_course(platform, people.teacher)
    module = add_module(platform, people.teacher, course["id"], "M")
    one = add_lesson(platform, people.teacher, module["id"], "one")
    add_lesson(platform, people.teacher, module["id"], "two")
    add_lesson(platform, people.teacher, module["id"], "zero", position=0)

    def order() -> list[tuple[int, str]]:
        modules = _curriculum(platform, course["id"])["modules"]
        return [(lesson["position"], lesson["title"]) for lesson in modules[0]["lessons"]]

    assert order() == [(0, "zero"), (1, "one"), (2, "two")]
    changed = platform.patch(
        f"/api/lessons/{one['id']}",
        json={"position": 2, "title": "ONE", "content": "new", "duration_minutes": 42},
        token=people.teacher.token,
    )
    assert changed.status == 200
    assert changed.json()["content"] == "new"
    assert changed.json()["duration_minutes"] == 42
    assert order() == [(0, "zero"), (1, "two"), (2, "ONE")]
    assert _counts(platform, course["id"]) == (1, 3)

    assert platform.delete(f"/api/lessons/{one['id']}", token=people.teacher.token).status == 204
    assert order() == [(0, "zero"), (1, "two")]
    assert _counts(platform, course["id"]) == (1, 2)
    assert platform.get(f"/api/lessons/{one['id']}").status == 404

    # Deleting a module takes its lessons and their count with it
    assert platform.delete(f"/api/modules/{module['id']}", token=people.teacher.token).status == 204
    assert _counts(platform, course["id"]) == (0, 0)


def test_deleting_a_course_deletes_its_curriculum(platform: Platform, people: Cast) -> None:
    course = create_course(platform, people.teacher)
    module = add_module(platform, people.teacher, course["id"], "M")
    lesson = add_lesson(platform, people.teacher, module["id"], "L")
    assert platform.delete(f"/api/courses/{course['id']}", token=people.teacher.token).status == 204
    assert platform.get(f"/api/lessons/{lesson['id']}", token=people.teacher.token).status == 404
    gone = platform.patch(
        f"/api/modules/{module['id']}", json={"title": "x"}, token=people.teacher.token
    )
    assert gone.status == 404
    assert error_code(gone) == "module_not_found"


def test_only_the_owner_writes_the_curriculum(platform: Platform, people: Cast) -> None:
    course = create_course(platform, people.teacher)
    module = add_module(platform, people.teacher, course["id"], "M")
    lesson = add_lesson(platform, people.teacher, module["id"], "L")
    writes = [
        ("POST", f"/api/courses/{course['id']}/modules", {"title": "x"}),
        ("PATCH", f"/api/modules/{module['id']}", {"title": "x"}),
        ("DELETE", f"/api/modules/{module['id']}", None),
        ("POST", f"/api/modules/{module['id']}/lessons", {"title": "x"}),
        ("PATCH", f"/api/lessons/{lesson['id']}", {"title": "x"}),
        ("DELETE", f"/api/lessons/{lesson['id']}", None),
    ]
    for method, path, body in writes:
        assert platform.request(method, path, json_body=body).status == 401, path
        for who in (people.other_teacher, people.unverified_teacher):
            refused = platform.request(method, path, json_body=body, token=who.token)
            assert refused.status == 403, (path, who)
            assert error_code(refused) == "not_course_owner"
        for who in (people.student, people.admin):
            refused = platform.request(method, path, json_body=body, token=who.token)
            assert refused.status == 403, (path, who)
            assert error_code(refused) == "wrong_role"
    # Nothing changed
    curriculum = _curriculum(platform, course["id"])
    assert [m["title"] for m in curriculum["modules"]] == ["M"]
    assert [x["title"] for x in curriculum["modules"][0]["lessons"]] == ["L"]


def test_an_unverified_teacher_builds_the_curriculum_of_a_draft(
    platform: Platform, people: Cast
) -> None:
    draft = create_course(platform, people.unverified_teacher, is_published=False)
    module = add_module(platform, people.unverified_teacher, draft["id"], "M")
    lesson = add_lesson(platform, people.unverified_teacher, module["id"], "L")

    # The owner and admins read a draft's curriculum and lessons; nobody else does
    for insider in (people.unverified_teacher.token, people.admin.token):
        assert len(_curriculum(platform, draft["id"], insider)["modules"]) == 1
        assert platform.get(f"/api/lessons/{lesson['id']}", token=insider).status == 200
    outsiders: list[str | None] = [None, people.student.token, people.other_teacher.token]
    for outsider in outsiders:
        hidden = platform.get(f"/api/courses/{draft['id']}/curriculum", token=outsider)
        assert hidden.status == 404
        assert platform.get(f"/api/lessons/{lesson['id']}", token=outsider).status == 404


def test_what_does_not_exist_is_404_and_bad_input_is_422(platform: Platform, people: Cast) -> None:
    token = people.teacher.token
    course = create_course(platform, people.teacher)
    module = add_module(platform, people.teacher, course["id"], "M")
    missing = [
        ("GET", f"/api/courses/{MISSING_ID}/curriculum", None),
        ("POST", f"/api/courses/{MISSING_ID}/modules", {"title": "x"}),
        ("PATCH", f"/api/modules/{MISSING_ID}", {"title": "x"}),
        ("DELETE", f"/api/modules/{MISSING_ID}", None),
        ("POST", f"/api/modules/{MISSING_ID}/lessons", {"title": "x"}),
        ("GET", f"/api/lessons/{MISSING_ID}", None),
        ("PATCH", f"/api/lessons/{MISSING_ID}", {"title": "x"}),
        ("DELETE", f"/api/lessons/{MISSING_ID}", None),
    ]
    for method, path, body in missing:
        assert platform.request(method, path, json_body=body, token=token).status == 404, path
        bad = path.replace(MISSING_ID, "not-a-uuid")
        assert platform.request(method, bad, json_body=body, token=token).status == 422, bad

    invalid: list[tuple[str, dict[str, Any]]] = [
        (f"/api/courses/{course['id']}/modules", {"title": ""}),
        (f"/api/courses/{course['id']}/modules", {"title": "x", "position": -1}),
        (f"/api/courses/{course['id']}/modules", {"title": "x" * 201}),
        (f"/api/modules/{module['id']}/lessons", {"title": "x", "duration_minutes": -1}),
        (f"/api/modules/{module['id']}/lessons", {"title": "x", "position": "first"}),
        (f"/api/modules/{module['id']}/lessons", {"title": "x", "content": "c" * 100_001}),
    ]
    for path, body in invalid:
        assert platform.post(path, json=body, token=token).status == 422, body
    assert (
        platform.patch(f"/api/modules/{module['id']}", json={"title": None}, token=token).status
        == 422
    )
    not_json = platform.request(
        "POST",
        f"/api/courses/{course['id']}/modules",
        raw_body="title=x",
        headers={"content-type": "application/json"},
        token=token,
    )
    assert not_json.status == 400
