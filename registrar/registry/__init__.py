"""The registry: a mock of the party that runs the TLDs.

Its tables are its own (db tables prefixed `registry_`); the registrar side reaches it only
through `registrar.registry.commands`, the way a real registrar speaks EPP to a registry.
"""
