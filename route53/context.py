"""Who is asking: the access key's owner and scope, and their objects fetched as Route 53 errors."""

from dataclasses import dataclass

from accounts import scopes
from accounts.models import AccessKey, User
from route53 import ids
from route53.errors import Route53Error, access_denied
from zones.models import ChangeBatch, HostedZone


@dataclass(frozen=True)
class Caller:
    access_key: AccessKey
    request_id: str

    @property
    def user(self) -> User:
        return self.access_key.owner

    def require_write(self, operation: str) -> None:
        if self.access_key.is_read_only:
            raise access_denied(
                f"User: {self.access_key.access_key_id} is not authorized to perform: route53:{operation} "
                f"(scope: {scopes.describe(self.access_key)})"
            )

    def hosted_zones(self):
        zones = HostedZone.objects.owned_by(self.user).select_related("delegation_set")
        if self.access_key.zone_ids is not None:
            zones = zones.filter(pk__in=self.access_key.zone_ids)
        return zones

    def hosted_zone(self, text: str, *, lock: bool = False) -> HostedZone:
        """The caller's zone of that id; NoSuchHostedZone for another's (never a hint that it exists)."""
        pk = ids.parse_id("Z", text)
        zone = self.hosted_zones().filter(pk=pk).first()
        if zone is None:
            raise Route53Error("NoSuchHostedZone", f"No hosted zone found with ID: {text}")
        return zone

    def change_batch(self, text: str) -> ChangeBatch:
        pk = ids.parse_id("C", text)
        batch = ChangeBatch.objects.filter(pk=pk, hosted_zone__in=self.hosted_zones()).first()
        if batch is None:
            raise Route53Error(
                "NoSuchChange", f"A change with the specified change ID does not exist: {text}"
            )
        return batch
