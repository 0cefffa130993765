"""Hosted zones, their delegation sets and networks (and authorisations to associate another
account's network), record sets, change batches and the audit log.

Field conventions the snapshot compiler (zones/snapshot.py) relies on:

- `HostedZone.name` and `RecordSet.name` are absolute, lowercase presentation text with the
  trailing dot ("www.example.com."), IDNs in their A-label form.
- `RecordSet.type` is the type mnemonic ("A", "MX"); `values` is a list of rdata texts as
  dnspython prints them with absolute names (`Rdata.to_text(relativize=False)`).
- `ttl` is None for an alias record set (it answers with its target's TTL).
- A record set's routing policy is `policy` plus the fields that kind uses: `weight`
  (weighted), `region` (latency), `failover` (PRIMARY/SECONDARY), `continent`/`country`/
  `subdivision` (geolocation; country "*" is the default record). `set_identifier` is empty
  for simple record sets.
- An alias names either `alias_target_name` (a record set of the same type in the same zone)
  or `alias_endpoint` (an `Endpoint` with its own addresses), never both.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from kernel.ownership import OwnedQuerySet
from zones.rules import SORT_KEY_MAX_LENGTH, SPEC_FIELDS, RecordSetSpec, canonical_sort_key
from zones.vocabulary import FailoverRole, RoutingPolicy, choices


class Network(models.Model):
    """A named list of CIDRs (IPv4 and IPv6); a private hosted zone answers only inside them."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="networks")
    name = models.CharField(max_length=100)
    cidrs = models.JSONField(default=list, help_text="CIDR texts, e.g. 10.0.0.0/16 or fd00::/8.")
    # Where this network's resolver asks the private listener for the network's private zones:
    # one of DNS_PRIVATE_ADDRESSES, so two accounts' same-name private zones never meet.
    private_address = models.GenericIPAddressField(unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="zones_network_unique_name")]

    def __str__(self) -> str:
        return self.name


class DelegationSet(models.Model):
    """Four name servers a public hosted zone is delegated to; a reusable set serves many zones."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegation_sets"
    )
    caller_reference = models.CharField(max_length=128, blank=True, null=True)
    name_servers = models.JSONField(default=list, help_text="Absolute host names with the trailing dot.")
    is_reusable = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "caller_reference"],
                condition=Q(caller_reference__isnull=False),
                name="zones_delegationset_unique_caller_reference",
            )
        ]

    def __str__(self) -> str:
        return ", ".join(self.name_servers)


class Endpoint(models.Model):
    """A service outside the zone that an alias may point at (load balancer, CDN, bucket website)."""

    class Kind(models.TextChoices):
        LOAD_BALANCER = "load_balancer", "Load balancer"
        CDN = "cdn", "CDN distribution"
        BUCKET_WEBSITE = "bucket_website", "Bucket website"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endpoints")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.LOAD_BALANCER)
    addresses = models.JSONField(default=list, help_text="IPv4 and IPv6 addresses the endpoint answers with.")
    ttl = models.PositiveIntegerField(default=60)
    health_check = models.ForeignKey(
        "healthchecks.HealthCheck", on_delete=models.PROTECT, null=True, blank=True, related_name="endpoints"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="zones_endpoint_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class HostedZone(models.Model):
    """The name server's data for one domain: public (delegated) or private (bound to networks)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hosted_zones")
    name = models.CharField(max_length=255, help_text="Absolute, lowercase, with the trailing dot.")
    # The name's canonical order as text (zones.rules.canonical_sort_key), for Route 53's listing by name.
    sort_key = models.CharField(max_length=SORT_KEY_MAX_LENGTH, default="", editable=False)
    comment = models.CharField(max_length=256, blank=True)
    caller_reference = models.CharField(max_length=128, blank=True, null=True)
    is_private = models.BooleanField(default=False)
    networks = models.ManyToManyField(Network, blank=True, related_name="hosted_zones")
    delegation_set = models.ForeignKey(DelegationSet, on_delete=models.RESTRICT, related_name="hosted_zones")
    serial = models.PositiveBigIntegerField(default=1)
    tags = models.JSONField(default=dict, blank=True)
    record_set_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["owner", "name"], name="zones_zone_owner_name"),
            models.Index(fields=["owner", "sort_key", "id"], name="zones_zone_owner_order"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "caller_reference"],
                condition=Q(caller_reference__isnull=False),
                name="zones_hostedzone_unique_caller_reference",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Derived from the name, which never changes once the zone exists.
        self.sort_key = canonical_sort_key(self.name)
        super().save(*args, **kwargs)

    @property
    def scope_zone_id(self) -> int:
        """The zone an API token's scope is checked against (accounts/scopes.py)."""
        return self.pk

    @property
    def name_servers(self) -> list[str]:
        """The delegation set's host names, absolute with the trailing dot."""
        return list(self.delegation_set.name_servers)

    @property
    def display_name(self) -> str:
        return self.name.rstrip(".") or "."

    @property
    def has_user_records(self) -> bool:
        """True while the zone holds record sets other than its SOA and apex NS."""
        return self.record_sets.exclude(is_protected=True).exists()


class VPCAssociationAuthorization(models.Model):
    """A private zone's owner lets another account's network be associated with the zone.

    The first of AWS's two steps for a zone and a network of different accounts: the zone's
    owner authorises the network, then the network's owner associates it
    (zones/services/associations.py). Neither can do both.
    """

    hosted_zone = models.ForeignKey(
        HostedZone, on_delete=models.CASCADE, related_name="vpc_association_authorizations"
    )
    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="vpc_association_authorizations"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()
    owner_lookup = "hosted_zone__owner"

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["hosted_zone", "network"], name="zones_vpcauthorization_unique")
        ]

    def __str__(self) -> str:
        return f"{self.network} may be associated with {self.hosted_zone}"


class RecordSet(models.Model):
    """One record set: name, type, TTL, values, and its routing policy or alias target.

    Its own fields are the rule module's `RecordSetSpec`, under the same names (the foreign
    keys by their attribute names, `health_check_id`): `to_spec` and `fields_from_spec` are
    the one mapping between the row and the spec.
    """

    # No index of its own: the unique (hosted_zone, name, type, set_identifier) index leads with it.
    hosted_zone = models.ForeignKey(
        HostedZone, on_delete=models.CASCADE, related_name="record_sets", db_index=False
    )
    name = models.CharField(max_length=255, help_text="Absolute, lowercase, with the trailing dot.")
    # The name's canonical order as text (zones.rules.canonical_sort_key): Route 53's record order
    # (name by reversed labels, type, set identifier) is this index's.
    sort_key = models.CharField(max_length=SORT_KEY_MAX_LENGTH, default="", editable=False)
    type = models.CharField(max_length=10)
    ttl = models.PositiveIntegerField(null=True, blank=True, help_text="None for an alias.")
    values = models.JSONField(default=list, blank=True)
    policy = models.CharField(
        max_length=12, choices=choices(RoutingPolicy), default=RoutingPolicy.SIMPLE.value
    )
    set_identifier = models.CharField(max_length=128, blank=True, default="")
    weight = models.PositiveSmallIntegerField(null=True, blank=True)
    region = models.CharField(max_length=40, blank=True, default="")
    failover = models.CharField(max_length=10, choices=choices(FailoverRole), blank=True, default="")
    continent = models.CharField(max_length=2, blank=True, default="")
    country = models.CharField(max_length=2, blank=True, default="")
    subdivision = models.CharField(max_length=3, blank=True, default="")
    health_check = models.ForeignKey(
        "healthchecks.HealthCheck",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="record_sets",
    )
    alias_target_name = models.CharField(max_length=255, blank=True, default="")
    alias_endpoint = models.ForeignKey(
        Endpoint, on_delete=models.RESTRICT, null=True, blank=True, related_name="record_sets"
    )
    evaluate_target_health = models.BooleanField(default=False)
    is_protected = models.BooleanField(default=False, help_text="The SOA and the apex NS.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()
    owner_lookup = "hosted_zone__owner"

    class Meta:
        ordering = ["name", "type", "set_identifier"]
        indexes = [
            models.Index(fields=["hosted_zone", "type", "name"], name="zones_rs_type"),
            models.Index(fields=["hosted_zone", "policy", "name"], name="zones_rs_policy"),
            models.Index(fields=["hosted_zone", "sort_key", "type", "set_identifier"], name="zones_rs_order"),
            # A change batch reads a zone's aliases (both ends go to the rules): a few rows, not the zone.
            models.Index(
                fields=["hosted_zone", "name"], condition=~Q(alias_target_name=""), name="zones_rs_aliases"
            ),
        ]
        constraints = [
            # Also the index of the record list's keyset pagination over (name, type, set identifier).
            models.UniqueConstraint(
                fields=["hosted_zone", "name", "type", "set_identifier"],
                name="zones_recordset_unique_identity",
            )
        ]

    def __str__(self) -> str:
        label = f"{self.name} {self.type}"
        return f"{label} ({self.set_identifier})" if self.set_identifier else label

    @property
    def is_alias(self) -> bool:
        return bool(self.alias_target_name) or self.alias_endpoint_id is not None

    @property
    def relative_name(self) -> str:
        """The name as the editor shows it: `@` for the apex, else without the zone suffix."""
        zone = self.hosted_zone.name
        if self.name == zone:
            return "@"
        return self.name[: -len(zone) - 1] if self.name.endswith("." + zone) else self.name

    def to_spec(self) -> RecordSetSpec:
        """This row as the rule module's plain data."""
        data = {name: getattr(self, name) for name in SPEC_FIELDS}
        data["values"] = tuple(self.values)
        return RecordSetSpec(**data)

    @staticmethod
    def fields_from_spec(spec: RecordSetSpec) -> dict[str, Any]:
        """The model's field values, by attribute name, that store `spec` (a normalised one),
        with the name's sort key: every write of a record set goes through here."""
        return {**spec.as_dict(), "sort_key": canonical_sort_key(spec.name)}


# The spec's fields by the names forms and the API give them: the model's field names, so
# the foreign keys without `_id` ("health_check").
SPEC_FIELD_NAMES: dict[str, str] = {name: RecordSet._meta.get_field(name).name for name in SPEC_FIELDS}


class ChangeBatch(models.Model):
    """A list of changes applied together; PENDING until every live DNS server serves its serial."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        INSYNC = "INSYNC", "In sync"

    class Source(models.TextChoices):
        CONSOLE = "console", "Console"
        API = "api", "API"
        IMPORT = "import", "Zone-file import"
        SYSTEM = "system", "System"
        ROUTE53 = "route53", "Route 53 API"

    hosted_zone = models.ForeignKey(HostedZone, on_delete=models.CASCADE, related_name="change_batches")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.CONSOLE)
    comment = models.CharField(max_length=256, blank=True)
    serial = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    change_count = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(auto_now_add=True)
    insync_at = models.DateTimeField(null=True, blank=True)

    objects = OwnedQuerySet.as_manager()
    owner_lookup = "hosted_zone__owner"

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["hosted_zone", "status"], name="zones_batch_zone_status")]

    def __str__(self) -> str:
        return f"change {self.pk} ({self.status})"

    @property
    def scope_zone_id(self) -> int:
        """The zone an API token's scope is checked against (accounts/scopes.py)."""
        return self.hosted_zone_id


class AuditEntry(models.Model):
    """One change to one record set, with the record set before and after (JSON), and who did it."""

    # No index of its own: the (hosted_zone, change_batch) index leads with it.
    hosted_zone = models.ForeignKey(
        HostedZone, on_delete=models.CASCADE, related_name="audit_entries", db_index=False
    )
    change_batch = models.ForeignKey(
        ChangeBatch, on_delete=models.CASCADE, null=True, blank=True, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=10, choices=ChangeBatch.Source.choices)
    action = models.CharField(max_length=12)
    name = models.CharField(max_length=255, blank=True)
    type = models.CharField(max_length=10, blank=True)
    set_identifier = models.CharField(max_length=128, blank=True, default="")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()
    owner_lookup = "hosted_zone__owner"

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["hosted_zone", "change_batch"], name="zones_audit_zone_batch")]

    def __str__(self) -> str:
        return f"{self.action} {self.name} {self.type}"


class ImportJob(models.Model):
    """A zone-file import: parsed into a plan (the preview), then applied; the console polls it."""

    class Status(models.TextChoices):
        PLANNING = "planning", "Reading the file"
        PREVIEW = "preview", "Ready to apply"
        APPLYING = "applying", "Applying"
        DONE = "done", "Applied"
        FAILED = "failed", "Failed"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    hosted_zone = models.ForeignKey(HostedZone, on_delete=models.CASCADE, related_name="import_jobs")
    file_path = models.CharField(
        max_length=500, help_text="Where the uploaded file waits under var/imports/."
    )
    file_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNING)
    progress_total = models.PositiveIntegerField(default=0)
    progress_done = models.PositiveIntegerField(default=0)
    summary = models.JSONField(
        default=dict, blank=True, help_text="Counts and the first changes, for the preview."
    )
    error = models.TextField(blank=True)
    change_batch = models.ForeignKey(
        ChangeBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"import {self.pk} into {self.hosted_zone_id}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(100 * self.progress_done / self.progress_total))

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.PLANNING, self.Status.APPLYING}
