"""Notifications emailed through Amazon SES (moto), and never lost when the email fails."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from edu_common.settings import load_settings
from notification.app import create_app
from notification.deps import EMAIL_SENDER
from notification.email import EmailMessage, SesEmailSender
from tests.integration.environments import Environment
from tests.support.accounts import Account, register
from tests.support.lambda_api import Platform

SENDER = "noreply@example.com"
REGION = "us-east-1"
NOTIFICATIONS = "/api/notifications"


class EmailingFunction(Environment):
    """The notification function of an execution environment whose EMAIL_SENDER is set."""

    def __init__(self) -> None:
        super().__init__(
            create_app(load_settings("notification", email_sender=SENDER)), "notification"
        )

    def notify(self, account: Account, **fields: Any) -> Any:
        body = {"type": "enrollment", "title": "You are in!", "body": "Welcome.", **fields}
        return self.post(NOTIFICATIONS, json=body, token=account.access_token)

    def mine(self, account: Account) -> Any:
        response = self.get("/api/notifications/me", token=account.access_token)
        assert response.status == 200, response.text
        return response.json()


@pytest.fixture
def ses(aws: None) -> Any:
    return boto3.client("ses", region_name=REGION)


@pytest.fixture
def emailing(ses: Any, platform: Platform) -> Iterator[EmailingFunction]:
    function = EmailingFunction()
    yield function
    function.close()


def _sent() -> list[Any]:
    return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)


def test_a_notification_is_also_emailed_to_the_caller(
    emailing: EmailingFunction, ses: Any, platform: Platform
) -> None:
    # Given a verified sender identity and a student
    ses.verify_email_identity(EmailAddress=SENDER)
    student = register(platform, "student")

    # When the student is notified
    response = emailing.notify(student, title="You are in!", body="Welcome to Python 101.")

    # Then the notification is stored and marked sent
    assert response.status == 201, response.text
    notification = response.json()
    assert notification["email_status"] == "sent"
    assert emailing.mine(student)["items"] == [notification]

    # And SES sent exactly one email, from the sender to the address in the caller's token
    assert ses.get_send_quota()["SentLast24Hours"] == 1
    [message] = _sent()
    assert message.source == SENDER
    assert message.destinations["ToAddresses"] == [student.email]
    assert message.subject == "You are in!"
    assert message.body == "Welcome to Python 101."


def test_when_ses_rejects_the_email_the_notification_is_still_there(
    emailing: EmailingFunction, ses: Any, platform: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a sender SES has not verified (SES answers MessageRejected)
    student = register(platform, "student")

    # When the student is notified
    with caplog.at_level(logging.WARNING, logger="notification"):
        response = emailing.notify(student)

    # Then the in-app notification is created all the same, its email recorded as failed
    assert response.status == 201, response.text
    notification = response.json()
    assert notification["email_status"] == "failed"
    listed = emailing.mine(student)
    assert listed["items"] == [notification]
    assert listed["unread_count"] == 1

    # And nothing was sent, and the failure was logged as a warning with SES's reason
    assert _sent() == []
    assert ses.get_send_quota()["SentLast24Hours"] == 0
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("MessageRejected" in r.getMessage() for r in warnings)


def test_an_unexpected_email_crash_never_loses_the_notification(
    emailing: EmailingFunction, platform: Platform
) -> None:
    class BrokenSender(SesEmailSender):
        def send(self, message: EmailMessage) -> None:
            raise RuntimeError("the SES SDK blew up")

    # Given an email sender that crashes in a way nobody planned for
    EMAIL_SENDER.put(emailing.app, BrokenSender(SENDER, REGION))
    student = register(platform, "student")

    # When the student is notified
    response = emailing.notify(student)

    # Then the answer is still a 201 and the notification is listed, its email failed
    assert response.status == 201, response.text
    assert response.json()["email_status"] == "failed"
    assert emailing.mine(student)["items"] == [response.json()]


def test_a_caller_can_ask_for_no_email(
    emailing: EmailingFunction, ses: Any, platform: Platform
) -> None:
    ses.verify_email_identity(EmailAddress=SENDER)
    student = register(platform, "student")
    response = emailing.notify(student, email=False)
    assert response.status == 201
    assert response.json()["email_status"] == "skipped"
    assert _sent() == []


def test_the_email_goes_to_each_caller_only(
    emailing: EmailingFunction, ses: Any, platform: Platform
) -> None:
    # Given two users notified one after the other (one SES client serves both)
    ses.verify_email_identity(EmailAddress=SENDER)
    student = register(platform, "student")
    teacher = register(platform, "teacher")
    assert emailing.notify(student, to="someone@example.com").status == 422  # no such field
    assert emailing.notify(student).status == 201
    assert emailing.notify(teacher).status == 201

    # Then each got exactly their own email, and nobody named in a body got one
    assert [m.destinations["ToAddresses"] for m in _sent()] == [[student.email], [teacher.email]]
    assert ses.get_send_quota()["SentLast24Hours"] == 2
