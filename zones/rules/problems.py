"""What every rule returns: a `Problem`, with its field and its reason held apart."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One refusal: the field it concerns, the reason, and the record set it names.

    `message` is the sentence the rules give: the field's name, a colon, the reason
    ("ttl: a TTL is required"). A sentence about one item of a field names the item instead
    (`subject`: "value: 300.1.2.3 is not an IPv4 address" concerns the field `values`). A
    refusal of the record set as a whole has no field (`field` "") and is the reason alone
    ("the record set already exists").

    `change` is the 0-based index of the change of a batch the problem refuses; the rules
    leave it None and the change-batch service (zones/services/plan.py) sets it.
    """

    field: str
    reason: str
    record_set: str = ""
    key: tuple = ()
    related_names: tuple[str, ...] = ()
    # The keys of every record set the problem involves (a conflict names both sides).
    group: tuple[tuple, ...] = ()
    subject: str = ""
    change: int | None = None

    @property
    def message(self) -> str:
        label = self.subject or self.field
        return f"{label}: {self.reason}" if label else self.reason

    def __str__(self) -> str:
        return f"{self.record_set}: {self.message}" if self.record_set else self.message


def error_reason(error: BaseException) -> str:
    """A parser's complaint as the end of one of our sentences: no trailing full stop."""
    text = str(error).strip() or type(error).__name__
    return text.rstrip(".")
