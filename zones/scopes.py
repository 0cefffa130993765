"""The hosted zones an API token may be scoped to, as accounts' token scopes see them."""

from collections.abc import Iterable
from typing import Any

from zones.models import HostedZone


class HostedZoneDirectory:
    """accounts.scopes.ZoneDirectory over the hosted zones (registered in zones/apps.py)."""

    def zone_names(self, owner: Any, zone_ids: Iterable[int]) -> dict[int, str]:
        return dict(
            HostedZone.objects.owned_by(owner).filter(pk__in=list(zone_ids)).values_list("pk", "name")
        )

    def zone_choices(self, owner: Any) -> list[tuple[int, str]]:
        return list(HostedZone.objects.owned_by(owner).values_list("pk", "name"))
