"""The alerting services' exceptions."""

from kernel.errors import ServiceError


class AlertError(ServiceError):
    """An alerting service refused."""

    @classmethod
    def for_field(cls, field: str, reason: str) -> "AlertError":
        """A refusal of one field's value; its message reads "<field>: <reason>"."""
        return cls(f"{field}: {reason}", field, reason=reason)


class InvalidConfirmation(AlertError):
    """A confirmation link or code that is wrong, expired or used up."""


class TemporaryDeliveryFailure(AlertError):
    """The transport failed in a way a retry may fix."""


class ConfirmationLimited(AlertError):
    """Too many confirmations asked for; `retry_after_seconds` says when the next one fits."""

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds
