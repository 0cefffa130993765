"""What every view does with a service's refusal."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from kernel.errors import ServiceError


def plain_reason(error: ServiceError) -> str:
    """The refusal in the person's words: the reason, without the "<field>: " the API's message starts with.

    Services give `reason` apart from `message`; an older refusal that gave only a message
    still reads "<field>: <reason>", and the field's internal name is cut off here.
    """
    reason = error.reason
    prefix = f"{error.field}: " if error.field else ""
    if prefix and reason.startswith(prefix):
        reason = reason[len(prefix) :]
    return reason


def show_service_error(
    target: forms.Form | HttpRequest, error: ServiceError, *, renames: dict[str, str | None] | None = None
) -> None:
    """Put a ServiceError where the person will read it, in words without internal field names.

    On a form: the reason beside the field it names (after `renames`, service field -> form
    field), or at the top of the form when the form has no such field. On a request: as an
    error message on the next page.
    """
    reason = plain_reason(error)
    if isinstance(target, forms.BaseForm):
        field = (renames or {}).get(error.field, error.field)
        target.add_error(field if field in target.fields else None, reason)
    else:
        messages.error(target, reason)
