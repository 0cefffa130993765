"""The zones app's services: the only way other apps (and our views) change zones' data.

from zones import services
zone = services.create_hosted_zone(owner=user, name="example.com", caller_reference="order-17")
services.apply_change_batch(hosted_zone=zone, changes=[services.Change("CREATE", spec)], actor=user)

The modules: `plan` (the pure diff of a batch), `changes` (normalise, plan, check and write a
batch), `serials`, `status` (PENDING to INSYNC), `hosted_zones` (zones, delegation sets,
networks, endpoints), `name_servers` (the pool, glue, a zone's four), `locks`, `listing` (the
record list's pages) and `errors`.
"""

from zones.services.changes import apply_change_batch, apply_plan, plan_changes, rule_context
from zones.services.errors import (
    CallerReferenceUsedError,
    ChangeBatchError,
    NameServersExhaustedError,
    ProtectedRecordError,
    ZoneError,
    ZoneFileError,
)
from zones.services.hosted_zones import (
    bump_serial,
    create_delegation_set,
    create_hosted_zone,
    delete_delegation_set,
    delete_endpoint,
    delete_hosted_zone,
    delete_network,
    save_endpoint,
    save_network,
    update_hosted_zone,
)
from zones.services.name_servers import name_server_addresses, name_server_pool, pick_name_servers
from zones.services.plan import (
    ACTIONS,
    CREATE,
    DELETE,
    UPSERT,
    AuditLine,
    Change,
    Plan,
    audit_dict,
    read_plan,
    write_plan,
)
from zones.services.serials import next_serial
from zones.services.status import refresh_change_status, refresh_pending_changes

__all__ = [
    "ACTIONS",
    "CREATE",
    "DELETE",
    "UPSERT",
    "AuditLine",
    "CallerReferenceUsedError",
    "Change",
    "ChangeBatchError",
    "NameServersExhaustedError",
    "Plan",
    "ProtectedRecordError",
    "ZoneError",
    "ZoneFileError",
    "apply_change_batch",
    "apply_plan",
    "audit_dict",
    "bump_serial",
    "create_delegation_set",
    "create_hosted_zone",
    "delete_delegation_set",
    "delete_endpoint",
    "delete_hosted_zone",
    "delete_network",
    "name_server_addresses",
    "name_server_pool",
    "next_serial",
    "pick_name_servers",
    "plan_changes",
    "read_plan",
    "refresh_change_status",
    "refresh_pending_changes",
    "rule_context",
    "save_endpoint",
    "save_network",
    "update_hosted_zone",
    "write_plan",
]
