"""The zones app's services: the only way other apps (and our views) change zones' data.

from zones import services
zone = services.create_hosted_zone(owner=user, name="example.com", caller_reference="order-17")
services.apply_change_batch(hosted_zone=zone, changes=[services.Change("CREATE", spec)], actor=user)
"""

from zones.services.changes import (
    ACTIONS,
    CREATE,
    DELETE,
    UPSERT,
    BatchPlan,
    Change,
    apply_change_batch,
    next_serial,
    plan_changes,
    refresh_change_status,
    refresh_pending_changes,
    rule_context,
    spec_from_record_set,
)
from zones.services.errors import ChangeBatchError, ProtectedRecordError, ZoneError, ZoneFileError
from zones.services.hosted_zones import (
    bump_serial,
    create_delegation_set,
    create_hosted_zone,
    delete_delegation_set,
    delete_endpoint,
    delete_hosted_zone,
    delete_network,
    name_server_addresses,
    pick_name_servers,
    record_set_dict,
    save_endpoint,
    save_network,
    update_hosted_zone,
)

__all__ = [
    "ACTIONS",
    "CREATE",
    "DELETE",
    "UPSERT",
    "BatchPlan",
    "Change",
    "ChangeBatchError",
    "ProtectedRecordError",
    "ZoneError",
    "ZoneFileError",
    "apply_change_batch",
    "bump_serial",
    "create_delegation_set",
    "create_hosted_zone",
    "delete_delegation_set",
    "delete_endpoint",
    "delete_hosted_zone",
    "delete_network",
    "name_server_addresses",
    "next_serial",
    "pick_name_servers",
    "plan_changes",
    "record_set_dict",
    "refresh_change_status",
    "refresh_pending_changes",
    "rule_context",
    "save_endpoint",
    "save_network",
    "spec_from_record_set",
    "update_hosted_zone",
]
