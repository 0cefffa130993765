"""What every view does with a service's refusal, and the page shape many views share."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

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


def list_with_create_form(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    create: Callable[[], Any],
    refusal: type[ServiceError],
    created_message: Callable[[Any], str],
    success_url: str,
    template_name: str,
    context: dict[str, Any],
) -> HttpResponse:
    """A page of the user's own objects with a form that creates one.

    A valid POST calls `create()`: what it made is announced with `created_message(made)` and
    the answer redirects to `success_url` (a URL name or path). A `refusal` it raises stands
    beside the form's field and the page is shown again with the input kept. `context` is the
    rest of the page (the list); the form is `form` in it.
    """
    if request.method == "POST" and form.is_valid():
        try:
            made = create()
        except refusal as error:
            show_service_error(form, error)
        else:
            messages.success(request, created_message(made))
            return redirect(success_url)
    return render(request, template_name, {"form": form, **context})
