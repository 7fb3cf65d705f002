"""The email seam: SES through boto3 (against moto), the no-op, and the lazy import of boto3."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from edu_common.settings import load_settings
from notification.email import (
    EmailDeliveryFailed,
    EmailMessage,
    NoEmailSender,
    SesEmailSender,
    email_sender_for,
)

SENDER = "noreply@example.com"
REGION = "us-east-1"
MESSAGE = EmailMessage(to="ann@example.com", subject="Welcome", text="You enrolled.")


def _verify(address: str) -> None:
    import boto3

    boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=address)


def test_without_a_sender_address_emails_are_a_no_op() -> None:
    sender = email_sender_for(load_settings("notification", email_sender=""))
    assert isinstance(sender, NoEmailSender)
    assert sender.enabled is False
    sender.send(MESSAGE)  # nothing happens, nothing fails


def test_with_a_sender_address_emails_go_through_ses() -> None:
    sender = email_sender_for(load_settings("notification", email_sender=SENDER))
    assert isinstance(sender, SesEmailSender)
    assert (sender.enabled, sender.sender) == (True, SENDER)


def test_ses_sends_the_message_from_the_sender_to_the_recipient(aws: None) -> None:
    # Given a verified sender identity
    _verify(SENDER)
    sender = SesEmailSender(SENDER, REGION)

    # When a message is sent
    sender.send(MESSAGE)

    # Then SES accepted exactly that message
    sent = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    assert len(sent) == 1
    assert sent[0].source == SENDER
    assert sent[0].destinations["ToAddresses"] == ["ann@example.com"]
    assert sent[0].subject == "Welcome"
    assert sent[0].body == "You enrolled."


def test_an_unverified_sender_is_a_delivery_failure_naming_the_reason(aws: None) -> None:
    sender = SesEmailSender(SENDER, REGION)
    with pytest.raises(EmailDeliveryFailed) as raised:
        sender.send(MESSAGE)
    assert raised.value.reason == "MessageRejected"
    assert ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages == []


def test_the_ses_client_is_created_once_and_reused(aws: None) -> None:
    # Given a sender that has sent one email
    _verify(SENDER)
    sender = SesEmailSender(SENDER, REGION)
    sender.send(MESSAGE)
    client = sender.client

    # When it sends another
    sender.send(MESSAGE)

    # Then both went through the same client
    assert sender.client is client
    assert len(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages) == 2


@pytest.mark.parametrize("email_sender", ["", SENDER])
def test_importing_the_handler_never_imports_boto3(email_sender: str) -> None:
    # A cold start pays for boto3 only when an email is actually sent.
    script = (
        "import sys, notification.handler as h; from notification.deps import EMAIL_SENDER; "
        "print(type(EMAIL_SENDER.of(h.app)).__name__, 'boto3' in sys.modules)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "EMAIL_SENDER": email_sender},
        check=True,
    )
    expected = "SesEmailSender" if email_sender else "NoEmailSender"
    assert completed.stdout.split()[-2:] == [expected, "False"]
