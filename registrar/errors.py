"""The registrar side's exception tree."""

from kernel.errors import ServiceError


class RegistrarError(ServiceError):
    """A registrar operation was refused; `field` names the input it concerns."""


class NameUnavailable(RegistrarError):
    """The name is taken, reserved or invalid (the registry's check or create said so)."""


class InsufficientFunds(RegistrarError):
    """The ledger balance does not cover the charge; nothing was bought."""


class PaymentDeclined(RegistrarError):
    """The card was declined; the ledger is unchanged."""


class RegistryRefused(RegistrarError):
    """The registry answered a command with an error code; `code` is that code."""

    def __init__(self, message: str, field: str | None = None, code: int = 0) -> None:
        super().__init__(message, field)
        self.code = code
