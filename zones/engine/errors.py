"""The engine's exceptions."""


class EngineError(Exception):
    """Base of the engine's exceptions."""


class CompileError(EngineError):
    """The zone data cannot be compiled (no SOA, a name outside the zone, mixed policies)."""
