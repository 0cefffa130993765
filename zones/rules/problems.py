"""What every rule returns: a `Problem`, with its field and its reason held apart."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One refusal: the field it concerns, the reason, and the record set it names.

    `message` is the sentence the rules give: the field's name, a colon, the reason
    ("ttl: a TTL is required"). A sentence about one item of a field names the item instead
    (`subject`: "value: 300.1.2.3 is not an IPv4 address" concerns the field `values`).
    """

    field: str
    reason: str
    record_set: str = ""
    key: tuple = ()
    related_names: tuple[str, ...] = ()
    # The keys of every record set the problem involves (a conflict names both sides).
    group: tuple[tuple, ...] = ()
    subject: str = ""

    @property
    def message(self) -> str:
        return f"{self.subject or self.field}: {self.reason}"

    def __str__(self) -> str:
        return f"{self.record_set}: {self.message}" if self.record_set else self.message


def error_reason(error: BaseException) -> str:
    """A parser's complaint as the end of one of our sentences: no trailing full stop."""
    text = str(error).strip() or type(error).__name__
    return text.rstrip(".")
