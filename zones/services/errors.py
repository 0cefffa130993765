"""The zones app's exception tree, rooted in kernel.errors.ServiceError."""

from collections.abc import Iterable

from kernel.errors import ServiceError
from zones.rules import Problem


class ZoneError(ServiceError):
    """A hosted-zone operation was refused."""

    @classmethod
    def from_problem(cls, problem: Problem) -> "ZoneError":
        """The refusal of a rule as the service gives it: the reason, beside the rule's field."""
        return cls(problem.reason, problem.field, reason=problem.reason)


class NameServersExhaustedError(ZoneError):
    """No name server is left that no zone of this name (or above or below it) already has."""


class CallerReferenceUsedError(ZoneError):
    """A hosted zone was already created with this caller reference (the request is not new)."""


class ChangeBatchError(ZoneError):
    """A change batch was refused; `index` is the first failing change (0-based), `problems` all found.

    The message reads "change <index>: <record set>: <sentence>". When a rule refused the
    change, `problem` is its Problem and `field` and `reason` are the problem's; otherwise
    `reason` is what follows "change <index>: ".
    """

    def __init__(
        self,
        message: str,
        field: str | None = None,
        *,
        index: int | None = None,
        problems: Iterable[Problem] = (),
        reason: str | None = None,
        problem: Problem | None = None,
    ) -> None:
        super().__init__(message, field, reason=reason)
        self.index = index
        self.problems = list(problems)
        self.problem = problem

    @classmethod
    def for_change(cls, index: int, problem: Problem, problems: Iterable[Problem] = ()) -> "ChangeBatchError":
        """Change `index` refused by the rule that found `problem` (`problems`: all found)."""
        return cls(
            f"change {index}: {problem}",
            problem.field,
            index=index,
            problems=problems or (problem,),
            reason=problem.reason,
            problem=problem,
        )

    def as_error_dict(self) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {"non_field_errors": [self.message]}
        if self.index is not None:
            errors["index"] = [str(self.index)]
        return errors


class ProtectedRecordError(ChangeBatchError):
    """The SOA and the apex NS record sets cannot be deleted (and only partly edited)."""


class ZoneFileError(ZoneError):
    """A zone file could not be read or imported."""
