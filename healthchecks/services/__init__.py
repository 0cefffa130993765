"""Health-check services, one module per concept; callers read `services.create_health_check(...)`.

- checks: a check's configuration (validate, create, change, disable, delete);
- probing: claiming a region's due probes and recording their outcomes;
- status: a check's overall status and its timeline, and the alarms that follow it;
- health_view: the Redis health view the DNS servers follow, rewritten whole by beat;
- results: pruning old probe results, latency charts and summaries.

Every status change is written to the database in the transaction that records it; the
Redis health view is written after commit.
"""

from healthchecks.services.checks import (
    CHECK_FIELDS,
    HealthCheckError,
    InvalidHealthCheck,
    check_problems,
    create_health_check,
    delete_health_check,
    merged_settings,
    set_health_check_disabled,
    update_health_check,
    with_defaults,
)
from healthchecks.services.health_view import publish_health_changes, sync_health_view
from healthchecks.services.probing import (
    LEASE_GRACE_SECONDS,
    claim_due_probes,
    probe_specs,
    record_probe_results,
)
from healthchecks.services.results import WINDOWS, latency_series, prune_probe_results, result_summary
from healthchecks.services.status import current_status

__all__ = [
    "CHECK_FIELDS",
    "LEASE_GRACE_SECONDS",
    "WINDOWS",
    "HealthCheckError",
    "InvalidHealthCheck",
    "check_problems",
    "claim_due_probes",
    "create_health_check",
    "current_status",
    "delete_health_check",
    "latency_series",
    "merged_settings",
    "probe_specs",
    "prune_probe_results",
    "publish_health_changes",
    "record_probe_results",
    "result_summary",
    "set_health_check_disabled",
    "sync_health_view",
    "update_health_check",
    "with_defaults",
]
