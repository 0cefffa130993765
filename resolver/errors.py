"""The resolver app's exception tree, rooted in kernel.errors.ServiceError."""

from kernel.errors import ServiceError


class ResolverError(ServiceError):
    """A resolver operation was refused: bad input, or a rule of Route 53's broken."""


class UnboundControlError(Exception):
    """unbound-control failed: the instance is down, or refused the command."""
