"""How alert messages leave: one class per channel.

A transport sends one rendered message and raises `TransportError` on failure, with
`permanent=True` when trying again cannot help (a refused address, an invalid number, any
4xx from the gateway), so the delivery task records it instead of retrying.
"""

import smtplib
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from healthchecks.models import SmsOutboxMessage
from kernel.emails import make_message, render_text

SMS_MAX_CHARS = 640


class TransportError(Exception):
    """A message could not be sent; `permanent` says whether a retry could succeed."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class Transport:
    """A channel. Subclasses implement `send`; rendering happens in the template helpers.

    `delivery_key` names one delivery: a second attempt of the same delivery (a worker died
    after the mail server took it, before the row said so) carries the same key, so the
    receiving side can tell it is a repeat (the Message-ID of a mail, Idempotency-Key of a text).
    """

    def send(self, *, to: str, template: str, context: dict, owner=None, delivery_key: str = "") -> None:
        raise NotImplementedError


class EmailTransport(Transport):
    """E-mail through Django's mail backend (SMTP in production and in the tests)."""

    def send(self, *, to: str, template: str, context: dict, owner=None, delivery_key: str = "") -> None:
        message: EmailMultiAlternatives = make_message(template, to, context)
        if delivery_key:
            message.extra_headers["Message-ID"] = f"<{delivery_key}@{urlsplit(settings.SITE_URL).hostname}>"
        try:
            message.send()
        except smtplib.SMTPRecipientsRefused as error:
            raise TransportError(f"the mail server refused {to}: {error.recipients}", permanent=True)
        except (smtplib.SMTPException, OSError) as error:
            raise TransportError(f"mail server: {error}")


def render_sms(template: str, context: dict) -> str:
    """The text of an SMS: plain text, not HTML, so `&` and `<` arrive as themselves."""
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    text = " ".join(render_text(f"sms/{template}.txt", context).split())
    return text[:SMS_MAX_CHARS]


class SmsGatewayTransport(Transport):
    """A Twilio-style REST gateway: POST To, From and Body as a form, with HTTP basic auth.

    The URL is SMS_GATEWAY_URL as given (for Twilio, .../Accounts/<sid>/Messages.json).
    A 4xx answer is permanent (an invalid number, a bad account); 5xx, 429 and network
    errors are temporary.
    """

    def __init__(self, *, url: str, account: str, token: str, from_number: str, timeout_seconds: float = 10):
        self.url, self.account, self.token = url, account, token
        self.from_number, self.timeout_seconds = from_number, timeout_seconds

    def send(self, *, to: str, template: str, context: dict, owner=None, delivery_key: str = "") -> None:
        body = render_sms(template, context)
        try:
            response = httpx.post(
                self.url,
                data={"To": to, "From": self.from_number, "Body": body},
                headers={"Idempotency-Key": delivery_key} if delivery_key else {},
                auth=(self.account, self.token),
                timeout=self.timeout_seconds,
            )
        except httpx.HTTPError as error:
            raise TransportError(f"SMS gateway: {type(error).__name__}: {error}")
        if response.status_code == 429 or response.status_code >= 500:
            raise TransportError(f"SMS gateway answered {response.status_code}")
        if response.status_code >= 400:
            raise TransportError(
                f"SMS gateway refused the message ({response.status_code}): {response.text[:200]}",
                permanent=True,
            )


class SmsOutboxTransport(Transport):
    """Development: keep the text in the database, where the console's SMS outbox shows it."""

    def send(self, *, to: str, template: str, context: dict, owner=None, delivery_key: str = "") -> None:
        SmsOutboxMessage.objects.create(owner=owner, to_number=to, body=render_sms(template, context))


def sms_transport() -> Transport:
    """The gateway when SMS_GATEWAY_URL is set, else the development outbox."""
    if settings.SMS_GATEWAY_URL:
        return SmsGatewayTransport(
            url=settings.SMS_GATEWAY_URL,
            account=settings.SMS_ACCOUNT,
            token=settings.SMS_TOKEN,
            from_number=settings.SMS_FROM_NUMBER,
        )
    return SmsOutboxTransport()


def transport_for(protocol: str) -> Transport:
    return EmailTransport() if protocol == "email" else sms_transport()
