"""Notification's rules, without a database."""

from __future__ import annotations

import pytest

from notification.domain import (
    MAX_BODY_LENGTH,
    MAX_TITLE_LENGTH,
    EmailStatus,
    InvalidNotification,
    NotificationType,
    draft_notification,
    email_status_for,
)


def test_a_draft_keeps_type_and_trims_title_and_body() -> None:
    draft = draft_notification(NotificationType.ENROLLMENT, "  Welcome!  ", "\n You enrolled. \n")
    assert draft.type is NotificationType.ENROLLMENT
    assert draft.title == "Welcome!"
    assert draft.body == "You enrolled."


def test_the_body_may_have_several_lines_and_tabs() -> None:
    draft = draft_notification(NotificationType.SYSTEM, "Hi", "line one\r\n\tline two")
    assert draft.body == "line one\r\n\tline two"


def test_the_closed_set_of_types() -> None:
    assert {t.value for t in NotificationType} == {
        "enrollment",
        "payment",
        "review",
        "system",
        "course_update",
    }


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [
        ("   ", "body", "title"),
        ("x" * (MAX_TITLE_LENGTH + 1), "body", "title"),
        ("two\nlines", "body", "title"),
        ("tab\there", "body", "title"),
        ("nul\x00", "body", "title"),
        ("Title", " \n\t ", "body"),
        ("Title", "x" * (MAX_BODY_LENGTH + 1), "body"),
        ("Title", "nul \x00 byte", "body"),
        ("Title", "bell \x07", "body"),
    ],
    ids=[
        "blank-title",
        "long-title",
        "two-line-title",
        "tab-in-title",
        "nul-in-title",
        "blank-body",
        "long-body",
        "nul-in-body",
        "bell-in-body",
    ],
)
def test_invalid_titles_and_bodies_are_refused_naming_the_field(
    title: str, body: str, field: str
) -> None:
    with pytest.raises(InvalidNotification) as raised:
        draft_notification(NotificationType.SYSTEM, title, body)
    assert raised.value.details[0]["field"] == field


def test_the_longest_allowed_title_and_body_are_accepted() -> None:
    draft = draft_notification(
        NotificationType.REVIEW, "t" * MAX_TITLE_LENGTH, "b" * MAX_BODY_LENGTH
    )
    assert len(draft.title) == MAX_TITLE_LENGTH
    assert len(draft.body) == MAX_BODY_LENGTH


@pytest.mark.parametrize(
    ("requested", "configured", "expected"),
    [
        (True, True, EmailStatus.PENDING),
        (True, False, EmailStatus.SKIPPED),
        (False, True, EmailStatus.SKIPPED),
        (False, False, EmailStatus.SKIPPED),
    ],
)
def test_an_email_is_attempted_only_when_asked_for_and_possible(
    requested: bool, configured: bool, expected: EmailStatus
) -> None:
    assert email_status_for(requested=requested, sender_configured=configured) is expected
