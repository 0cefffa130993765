"""The zones app's exception tree, rooted in kernel.errors.ServiceError."""

from kernel.errors import ServiceError


class ZoneError(ServiceError):
    """A hosted-zone operation was refused."""


class ChangeBatchError(ZoneError):
    """A change batch was refused; `index` is the first failing change (0-based), `problems` all found."""

    def __init__(
        self, message: str, field: str | None = None, *, index: int | None = None, problems=()
    ) -> None:
        super().__init__(message, field)
        self.index = index
        self.problems = list(problems)

    def as_error_dict(self) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {"non_field_errors": [self.message]}
        if self.index is not None:
            errors["index"] = [str(self.index)]
        return errors


class ProtectedRecordError(ChangeBatchError):
    """The SOA and the apex NS record sets cannot be deleted (and only partly edited)."""


class ZoneFileError(ZoneError):
    """A zone file could not be read or imported."""
