"""Plain text stays plain: a topic named with `&`, `<`, quotes and non-ASCII through every message.

Mail subjects, plain-text bodies and SMS arrive exactly as written (read back from the SMTP sink
and the SMS gateway); the HTML body and the SMS outbox page escape it, once.
"""

import re

from django.conf import settings

from healthchecks import alerting, tasks
from healthchecks.models import Alarm, SmsOutboxMessage

from .conftest import http_check
from .test_alerts import MOBILE, confirm_email, confirm_sms, mail_text
from .test_scheduling import run_round

NAME = 'Bakery on-call & ops <script> "q" — Café'
ESCAPED = "Bakery on-call &amp; ops &lt;script&gt; &quot;q&quot; — Café"


def subject(message) -> str:
    # A long non-ASCII Subject is folded before its first encoded word; the fold is not text.
    return str(message["Subject"]).lstrip()


def mail_html(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def assert_escaped_once(html: str) -> None:
    assert ESCAPED in html
    assert NAME not in html
    assert "<script>" not in html
    assert "&amp;amp;" not in html and "&amp;lt;" not in html and "&amp;quot;" not in html


def test_mail_and_sms_carry_the_text_as_written(
    owner, closed_port, mailoutbox_smtp, sms_gateway, eager_tasks, django_capture_on_commit_callbacks
):
    topic = alerting.create_topic(owner=owner, name=NAME)
    by_mail = alerting.subscribe(topic=topic, protocol="email", endpoint="ops@example.com")
    by_sms = alerting.subscribe(topic=topic, protocol="sms", endpoint=MOBILE)
    tasks.dispatch_confirmations()

    confirmation = mailoutbox_smtp.wait_for(1)[0]
    assert subject(confirmation) == f"Confirm your subscription to {NAME} on Nameplate"
    assert f'added this address to the alert topic "{NAME}" on Nameplate.' in mail_text(confirmation)
    assert f"<strong>{ESCAPED}</strong>" in mail_html(confirmation)
    assert_escaped_once(mail_html(confirmation))
    body = sms_gateway.requests[0]["form"]["Body"]
    code = re.search(r"\b(\d{6})\b", body).group(1)
    assert body == f'Nameplate: your code to confirm alerts from "{NAME}" is {code}. It expires in 1 hour.'

    confirm_email(mailoutbox_smtp, by_mail, 0)
    confirm_sms(sms_gateway, by_sms)
    check = http_check(owner, closed_port, name=NAME)
    alerting.create_alarm(owner=owner, name=NAME, topic=topic, health_check=check)
    with django_capture_on_commit_callbacks(execute=True):
        run_round(check)
    tasks.dispatch_alarm_events()

    alarm_mail = mailoutbox_smtp.wait_for(2)[1]
    assert subject(alarm_mail) == f"ALARM: {NAME}"
    text = mail_text(alarm_mail)
    assert f'ALARM: "{NAME}" went into alarm.' in text
    assert f"Reason: {NAME}: 0 of 3 regions healthy" in text
    assert f"Topic: {NAME}" in text
    html = mail_html(alarm_mail)
    assert f"<li>Topic: {ESCAPED}</li>" in html
    assert f"<li>Reason: {ESCAPED}: 0 of 3 regions healthy</li>" in html
    assert_escaped_once(html)
    alarm_sms = sms_gateway.requests[-1]["form"]["Body"]
    assert alarm_sms.startswith(
        f"Nameplate ALARM: {NAME}. {NAME}: 0 of 3 regions healthy. Topic: {NAME}. "
        f"Stop: {settings.SITE_URL}/alerts/unsubscribe/"
    )


def test_the_sms_outbox_keeps_the_text_and_its_page_escapes_it_once(
    owner, owner_client, settings, eager_tasks
):
    settings.SMS_GATEWAY_URL = ""
    topic = alerting.create_topic(owner=owner, name=NAME)
    subscription = alerting.subscribe(topic=topic, protocol="sms", endpoint=MOBILE)
    tasks.dispatch_confirmations()
    text = SmsOutboxMessage.objects.get()
    code = re.search(r"\b(\d{6})\b", text.body).group(1)
    assert (
        text.body == f'Nameplate: your code to confirm alerts from "{NAME}" is {code}. It expires in 1 hour.'
    )
    alerting.confirm_by_code(subscription=subscription, code=code)
    alarm = Alarm.objects.create(owner=owner, name=NAME, topic=topic)
    alerting.set_alarm_state(alarm=alarm, state=Alarm.ALARM, reason=f"{NAME}: down")
    tasks.dispatch_alarm_events()
    alarm_text = SmsOutboxMessage.objects.order_by("id").last().body
    assert alarm_text.startswith(f"Nameplate ALARM: {NAME}. {NAME}: down. Topic: {NAME}. Stop: ")

    page = owner_client.get("/alerts/sms-outbox/").content.decode()
    assert f"&quot;{ESCAPED}&quot; is {code}" in page
    assert f"Nameplate ALARM: {ESCAPED}. {ESCAPED}: down. Topic: {ESCAPED}." in page
    assert_escaped_once(page)
    api = owner_client.get("/api/v1/sms-outbox").json()["results"]
    assert sorted(row["body"] for row in api) == sorted([text.body, alarm_text])
