"""What several zone pages share: the user's zone, the before/after table of a change, and
the confirmation a large delete needs."""

from django.conf import settings
from django.http import HttpRequest

from kernel.ownership import get_owned_object_or_404
from kernel.views import plain_reason
from zones import services
from zones.models import HostedZone
from zones.services import revert


def owned_zone(request: HttpRequest, zone_id: int) -> HostedZone:
    """The user's hosted zone `zone_id`; Http404 for anyone else's."""
    return get_owned_object_or_404(
        HostedZone.objects.select_related("delegation_set"), request.user, pk=zone_id
    )


def needs_delete_confirmation(zone: HostedZone, deletes: int) -> bool:
    """Whether deleting `deletes` record sets is past ZONES_MAX_SAFE_DELETE_PERCENT of the zone."""
    return revert.exceeds_safe_delete(
        deletes=deletes,
        record_set_count=zone.record_set_count,
        max_percent=settings.ZONES_MAX_SAFE_DELETE_PERCENT,
    )


def confirmation_context(zone: HostedZone, needs_confirmation: bool, *, missing: bool) -> dict:
    """What a preview page shows of the confirm-the-deletes box; `missing`: an apply was asked for."""
    return {
        "needs_confirmation": needs_confirmation,
        "confirmation_missing": needs_confirmation and missing,
        "zone_size": zone.record_set_count,
        "max_safe_delete_percent": settings.ZONES_MAX_SAFE_DELETE_PERCENT,
    }


def refusal_text(error: services.ChangeBatchError) -> str:
    """A batch's refusal in words: the record set and the reason, without "change <index>:"."""
    if isinstance(error, revert.RevertConflict) or error.problem is None:
        return plain_reason(error)
    return (
        f"{error.problem.record_set}: {error.problem.reason}"
        if error.problem.record_set
        else error.problem.reason
    )


def key_label(key: tuple[str, str, str]) -> str:
    name, rtype, set_identifier = key
    return f"{name} {rtype}" + (f" ({set_identifier})" if set_identifier else "")


# The fields a diff shows, in this order; a record set's name and type head its rows.
DIFF_FIELDS = (
    ("ttl", "TTL"),
    ("values", "Values"),
    ("alias_target_name", "Alias target"),
    ("alias_endpoint_id", "Alias endpoint"),
    ("evaluate_target_health", "Evaluate target health"),
    ("policy", "Routing policy"),
    ("weight", "Weight"),
    ("region", "Region"),
    ("failover", "Failover"),
    ("continent", "Continent"),
    ("country", "Country"),
    ("subdivision", "Subdivision"),
    ("health_check_id", "Health check"),
)


def _shown(value: object) -> str:
    if value in (None, "", [], False):
        return ""
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return "yes" if value is True else str(value)


def diff_row(before: dict | None, after: dict | None, *, label: str) -> dict:
    """One record set's before and after as table rows: (field, before, after, kind) with kind
    `added`, `removed`, `changed` or `same`; the record set's own kind likewise."""
    kind = "added" if before is None else "removed" if after is None else "changed"
    fields = []
    known = {name for name, _label in DIFF_FIELDS}
    extra = [
        (name, name)
        for name in sorted({*(before or {}), *(after or {})} - known)
        if name not in ("name", "type", "set_identifier")
    ]
    for name, field_label in (*DIFF_FIELDS, *extra):
        old, new = _shown((before or {}).get(name)), _shown((after or {}).get(name))
        if not old and not new:
            continue
        field_kind = "same" if old == new else "added" if not old else "removed" if not new else "changed"
        fields.append({"label": field_label, "before": old, "after": new, "kind": field_kind})
    return {"label": label, "kind": kind, "fields": fields}
