"""The base of every app's exception tree, and the API's one error shape."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)


class ServiceError(Exception):
    """A refusal by a service: bad input or a rule broken, with the field it concerns.

    `message` is the whole sentence, for places with no field to stand beside (a flash
    message, the API's non-field errors); `reason` is the part after the field's name, for
    beside the field. Without a `reason`, the message serves as both.
    """

    def __init__(self, message: str, field: str | None = None, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.reason = reason if reason is not None else message

    def as_error_dict(self) -> dict[str, list[str]]:
        return {self.field or "non_field_errors": [self.message]}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, plus ServiceError and Django's ValidationError as DRF's 400 shape."""
    if isinstance(exc, ServiceError):
        return Response(exc.as_error_dict(), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail=detail)
    return exception_handler(exc, context)
