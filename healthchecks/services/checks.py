"""A check's configuration: validate, create, change, disable and delete it."""

from collections.abc import Mapping, Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from healthchecks import rules
from healthchecks.models import HealthCheck, HealthCheckRegion
from healthchecks.services.health_view import forget_in_health_view
from healthchecks.services.status import refresh_statuses
from kernel.errors import ServiceError

CHECK_FIELDS = (
    "name",
    "check_type",
    "ip_address",
    "host_name",
    "port",
    "resource_path",
    "host_header",
    "search_string",
    "skip_tls_verification",
    "request_interval_seconds",
    "failure_threshold",
    "timeout_seconds",
    "regions",
    "healthy_children_threshold",
    "is_inverted",
    "is_disabled",
)


class HealthCheckError(ServiceError):
    """A health-check service refused: bad settings or a rule broken."""


class InvalidHealthCheck(HealthCheckError):
    """The settings break a rule; `problems` lists every one."""

    def __init__(self, problems: Sequence[rules.Problem]) -> None:
        first = problems[0]
        super().__init__(first.message, first.field, reason=first.reason)
        self.problems = list(problems)


def _child_graph(owner) -> dict[int, list[int]]:
    graph: dict[int, list[int]] = {}
    through = HealthCheck.child_checks.through.objects.filter(from_healthcheck__owner=owner)
    for parent_id, child_id in through.values_list("from_healthcheck_id", "to_healthcheck_id"):
        graph.setdefault(parent_id, []).append(child_id)
    return graph


def check_problems(*, owner, data: Mapping, check: HealthCheck | None = None) -> list[rules.Problem]:
    """Every rule `data` breaks for `owner`'s check (new when `check` is None)."""
    problems = rules.validate_health_check(
        data,
        available_regions=settings.HEALTHCHECK_REGIONS,
        check_id=check.pk if check else None,
        child_graph=_child_graph(owner),
        allow_local_targets=settings.HEALTHCHECK_ALLOW_LOCAL_TARGETS,
    )
    children = [int(child) for child in data.get("child_checks") or []]
    if data.get("check_type") == HealthCheck.CALCULATED and children:
        owned = set(HealthCheck.objects.owned_by(owner).filter(pk__in=children).values_list("pk", flat=True))
        missing = [str(child) for child in children if child not in owned]
        if missing:
            problems.append(rules.Problem("child_checks", f"no health check {', '.join(missing)} of yours"))
    return problems


def with_defaults(data: Mapping) -> dict:
    """A new check's settings: the model's defaults (every region for `regions`) under `data`."""
    defaults = {
        field.name: field.get_default()
        for field in HealthCheck._meta.concrete_fields
        if field.name in CHECK_FIELDS and field.has_default()
    }
    defaults["regions"] = list(settings.HEALTHCHECK_REGIONS)
    return {**defaults, **data}


def merged_settings(*, check: HealthCheck, data: Mapping) -> dict:
    """The check's current settings (children included) with `data` laid over them."""
    merged = {field: getattr(check, field) for field in CHECK_FIELDS}
    merged["child_checks"] = list(check.child_checks.values_list("pk", flat=True))
    merged.update(data)
    return merged


def _normalise(data: Mapping) -> dict:
    values = {field: data[field] for field in CHECK_FIELDS if field in data}
    if values.get("check_type") == HealthCheck.CALCULATED:
        values.update(
            ip_address=None, host_name="", port=None, resource_path="", search_string="", regions=[]
        )
    values["ip_address"] = values.get("ip_address") or None
    return values


def create_health_check(*, owner, data: Mapping) -> HealthCheck:
    """Create a check and its per-region rows; raises InvalidHealthCheck on bad settings.

    Settings left out take the model's defaults (interval 30 s, threshold 3, every region).
    """
    data = with_defaults(data)
    problems = check_problems(owner=owner, data=data)
    if problems:
        raise InvalidHealthCheck(problems)
    with transaction.atomic():
        check = HealthCheck.objects.create(owner=owner, **_normalise(data))
        check.child_checks.set(data.get("child_checks") or [])
        _sync_regions(check)
        refresh_statuses([check.pk], reason="created")
    return check


def update_health_check(*, check: HealthCheck, data: Mapping) -> HealthCheck:
    """Change a check's settings; raises InvalidHealthCheck on bad settings."""
    merged = merged_settings(check=check, data=data)
    problems = check_problems(owner=check.owner, data=merged, check=check)
    if problems:
        raise InvalidHealthCheck(problems)
    with transaction.atomic():
        for field, value in _normalise(merged).items():
            setattr(check, field, value)
        check.save()
        check.child_checks.set(merged.get("child_checks") or [])
        _sync_regions(check)
        refresh_statuses([check.pk], reason="settings changed")
    return check


def set_health_check_disabled(*, check: HealthCheck, is_disabled: bool) -> HealthCheck:
    """Disable (a disabled check counts as healthy and is not probed) or enable a check."""
    with transaction.atomic():
        check.is_disabled = is_disabled
        check.save(update_fields=["is_disabled"])
        if not is_disabled:
            # Start afresh: the region streaks from before the pause say nothing about now.
            check.region_states.update(
                next_run_at=timezone.now(), consecutive_failures=0, consecutive_successes=0, is_healthy=True
            )
        refresh_statuses([check.pk], reason="disabled" if is_disabled else "enabled")
    return check


def delete_health_check(*, check: HealthCheck) -> None:
    """Delete a check and its history; its Redis entry goes after commit.

    Raises HealthCheckError while record sets still refer to the check.
    """
    check_id = check.pk
    with transaction.atomic():
        parent_ids = list(check.parent_checks.values_list("pk", flat=True))
        try:
            check.delete()
        except ProtectedError as error:
            # Record sets (zones) keep their check: removing it would change their answers.
            names = sorted({str(getattr(obj, "name", obj)) for obj in error.protected_objects})
            raise HealthCheckError(
                f"health check {check.name} is used by {', '.join(names[:5])}; "
                "remove it from those record sets first"
            ) from None
        refresh_statuses(parent_ids, reason=f"child check {check_id} deleted")
        transaction.on_commit(lambda: forget_in_health_view([check_id]))


def _sync_regions(check: HealthCheck) -> None:
    wanted = set(check.regions if not check.is_calculated else [])
    check.region_states.exclude(region__in=wanted).delete()
    existing = set(check.region_states.values_list("region", flat=True))
    HealthCheckRegion.objects.bulk_create(
        [HealthCheckRegion(health_check=check, region=region) for region in sorted(wanted - existing)]
    )
