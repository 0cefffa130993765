"""Mails are three templates: `emails/<name>_subject.txt`, `<name>_body.txt`, `<name>_body.html`.

Plain-text templates (the subject, the text body, SMS) render without HTML escaping through the
`text` template engine; only the HTML body escapes.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def render_text(template_name: str, context: dict) -> str:
    """A plain-text template rendered as written: `&`, `<` and quotes stay themselves."""
    return render_to_string(template_name, context, using="text")


def make_message(name: str, to: str, context: dict) -> EmailMultiAlternatives:
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    subject = render_text(f"emails/{name}_subject.txt", context).strip().replace("\n", " ")
    text = render_text(f"emails/{name}_body.txt", context)
    html = render_to_string(f"emails/{name}_body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    return message


def send_mail(name: str, to: str, context: dict) -> None:
    make_message(name, to, context).send()
