"""What every view does with a service's refusal."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from kernel.errors import ServiceError


def show_service_error(
    target: forms.Form | HttpRequest, error: ServiceError, *, renames: dict[str, str | None] | None = None
) -> None:
    """Put a ServiceError where the person will read it.

    On a form: beside the field it names (after `renames`, service field -> form field), or at
    the top of the form when the form has no such field. On a request: as an error message
    on the next page.
    """
    if isinstance(target, forms.BaseForm):
        field = (renames or {}).get(error.field, error.field)
        target.add_error(field if field in target.fields else None, error.message)
    else:
        messages.error(target, error.message)
