"""The DNS Firewall's exception tree, rooted in kernel.errors.ServiceError."""

from kernel.errors import ServiceError
from zones.rules import Problem


class FirewallError(ServiceError):
    """A firewall operation was refused."""

    @classmethod
    def from_problem(cls, problem: Problem) -> "FirewallError":
        return cls(problem.message, problem.field, reason=problem.reason)
