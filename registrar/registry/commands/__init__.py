"""The registry's command interface, shaped after EPP (RFC 5730-5733).

Every command names the calling registrar by its `client_id` (an EPP login), validates all
of its input before changing anything, runs in one transaction, and answers with a `Result`:
a four-digit code and message from RFC 5730 §3 plus the response data. Codes below 2000
mean success; a refusal changes nothing. This package is the only way the registrar side
reaches the registry's tables.

from registrar.registry import commands
result = commands.check_domains(client_id="nameplate", names_to_check=["example.com"])
"""

from registrar.registry.clock import advance as advance_clock
from registrar.registry.clock import now as registry_time
from registrar.registry.commands.contacts import create_contact, update_contact
from registrar.registry.commands.domains import (
    AUTH_CODE_ALPHABET,
    MAX_NAME_SERVERS,
    check_domains,
    create_domain,
    delete_domain,
    domain_data,
    info_domain,
    new_auth_code,
    renew_domain,
    restore_domain,
    tld_list,
    update_domain,
)
from registrar.registry.commands.hosts import create_host, delete_host, update_host
from registrar.registry.commands.housekeeping import expire_domains
from registrar.registry.commands.poll import poll_ack, poll_request, subscribe
from registrar.registry.commands.results import (
    ASSOCIATION_PROHIBITS,
    AUTHENTICATION_ERROR,
    AUTHORIZATION_ERROR,
    COMMAND_FAILED,
    INVALID_AUTH_INFO,
    MESSAGES,
    NOT_ELIGIBLE_FOR_RENEWAL,
    NOT_ELIGIBLE_FOR_TRANSFER,
    NOT_PENDING_TRANSFER,
    OBJECT_DOES_NOT_EXIST,
    OBJECT_EXISTS,
    OK,
    OK_ACK_TO_DEQUEUE,
    OK_NO_MESSAGES,
    OK_PENDING,
    PARAMETER_MISSING,
    PARAMETER_RANGE,
    PARAMETER_SYNTAX,
    PENDING_TRANSFER,
    POLICY_ERROR,
    STATUS_PROHIBITS,
    SYNTAX_ERROR,
    UNKNOWN_COMMAND,
    Refused,
    Result,
    command,
)
from registrar.registry.commands.transfers import (
    approve_due_transfers,
    approve_transfer,
    cancel_transfer,
    query_transfer,
    reject_transfer,
    request_transfer,
)

__all__ = [
    "ASSOCIATION_PROHIBITS",
    "AUTHENTICATION_ERROR",
    "AUTHORIZATION_ERROR",
    "AUTH_CODE_ALPHABET",
    "COMMAND_FAILED",
    "INVALID_AUTH_INFO",
    "MAX_NAME_SERVERS",
    "MESSAGES",
    "NOT_ELIGIBLE_FOR_RENEWAL",
    "NOT_ELIGIBLE_FOR_TRANSFER",
    "NOT_PENDING_TRANSFER",
    "OBJECT_DOES_NOT_EXIST",
    "OBJECT_EXISTS",
    "OK",
    "OK_ACK_TO_DEQUEUE",
    "OK_NO_MESSAGES",
    "OK_PENDING",
    "PARAMETER_MISSING",
    "PARAMETER_RANGE",
    "PARAMETER_SYNTAX",
    "PENDING_TRANSFER",
    "POLICY_ERROR",
    "STATUS_PROHIBITS",
    "SYNTAX_ERROR",
    "UNKNOWN_COMMAND",
    "Refused",
    "Result",
    "advance_clock",
    "approve_due_transfers",
    "approve_transfer",
    "cancel_transfer",
    "check_domains",
    "command",
    "create_contact",
    "create_domain",
    "create_host",
    "delete_domain",
    "delete_host",
    "domain_data",
    "expire_domains",
    "info_domain",
    "new_auth_code",
    "poll_ack",
    "poll_request",
    "query_transfer",
    "registry_time",
    "reject_transfer",
    "renew_domain",
    "request_transfer",
    "restore_domain",
    "subscribe",
    "tld_list",
    "update_contact",
    "update_domain",
    "update_host",
]
