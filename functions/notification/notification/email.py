"""Email delivery: the seam between notifications and Amazon SES.

``EmailSender`` is what the service depends on. ``SesEmailSender`` sends through SES with
boto3; ``NoEmailSender`` stands in when no sender address is configured. boto3 is imported
only by ``SesEmailSender`` on its first email, so a function without EMAIL_SENDER (and every
cold start that sends nothing) never pays for importing it; its client is created once per
execution environment (the sender lives on the app, which lives as long as the process).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from edu_common.settings import Settings

logger = logging.getLogger(__name__)

# Lambda bills every millisecond a request waits: a slow SES must not hold one for long.
CONNECT_TIMEOUT_SECONDS = 2
READ_TIMEOUT_SECONDS = 5
MAX_ATTEMPTS = 2


@dataclass(frozen=True, slots=True)
class EmailMessage:
    to: str
    subject: str
    text: str


class EmailDeliveryFailed(Exception):
    """The email was not accepted for delivery; ``reason`` is a short code (e.g. SES's)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class EmailSender(Protocol):
    @property
    def enabled(self) -> bool:
        """False when sending is a no-op (nothing will ever be delivered)."""
        ...

    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` over for delivery or raise :class:`EmailDeliveryFailed`. Blocking."""
        ...


class NoEmailSender:
    """No sender address configured: notifications stay in-app only."""

    @property
    def enabled(self) -> bool:
        return False

    def send(self, message: EmailMessage) -> None:
        return None


class SesEmailSender:
    """Sends plain-text emails from ``sender`` through Amazon SES (``ses.send_email``)."""

    def __init__(self, sender: str, region: str) -> None:
        self.sender = sender
        self.region = region
        self._client: Any = None
        self._client_lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return True

    @property
    def client(self) -> Any:
        """The SES client, made on the first email and kept for the execution environment."""
        # Double-checked: sends run in worker threads, and boto3's default session is not
        # thread-safe while it builds a client.
        if self._client is None:
            with self._client_lock:
                if self._client is None:
                    import boto3
                    from botocore.config import Config

                    self._client = boto3.client(
                        "ses",
                        region_name=self.region,
                        config=Config(
                            connect_timeout=CONNECT_TIMEOUT_SECONDS,
                            read_timeout=READ_TIMEOUT_SECONDS,
                            retries={"max_attempts": MAX_ATTEMPTS, "mode": "standard"},
                        ),
                    )
        return self._client

    def send(self, message: EmailMessage) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.send_email(
                Source=self.sender,
                Destination={"ToAddresses": [message.to]},
                Message={
                    "Subject": {"Data": message.subject, "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": message.text, "Charset": "UTF-8"}},
                },
            )
        except ClientError as exc:
            raise EmailDeliveryFailed(str(exc.response.get("Error", {}).get("Code"))) from exc
        except BotoCoreError as exc:
            raise EmailDeliveryFailed(type(exc).__name__) from exc


def email_sender_for(settings: Settings) -> EmailSender:
    """SES when EMAIL_SENDER is set, otherwise the no-op."""
    if settings.email_sender:
        return SesEmailSender(settings.email_sender, settings.aws_region)
    return NoEmailSender()
