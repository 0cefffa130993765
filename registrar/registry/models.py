"""The registry's tables: TLDs, registrars, contacts, domain objects, hosts, DS, transfers, poll queues."""

from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

# EPP status values (RFC 5731 §2.3) that this registry uses.
OK = "ok"
CLIENT_HOLD = "clientHold"
CLIENT_TRANSFER_PROHIBITED = "clientTransferProhibited"
CLIENT_DELETE_PROHIBITED = "clientDeleteProhibited"
CLIENT_UPDATE_PROHIBITED = "clientUpdateProhibited"
PENDING_TRANSFER = "pendingTransfer"
PENDING_DELETE = "pendingDelete"
REDEMPTION_PERIOD = "redemptionPeriod"
CLIENT_STATUSES = (
    CLIENT_HOLD,
    CLIENT_TRANSFER_PROHIBITED,
    CLIENT_DELETE_PROHIBITED,
    CLIENT_UPDATE_PROHIBITED,
)
SERVER_STATUSES = (PENDING_TRANSFER, PENDING_DELETE, REDEMPTION_PERIOD)


class Tld(models.Model):
    """A top-level domain the registry runs, with its price list and its own name servers."""

    name = models.CharField(max_length=63, unique=True)
    yearly_price_cents = models.PositiveIntegerField()
    min_years = models.PositiveSmallIntegerField(default=1)
    max_years = models.PositiveSmallIntegerField(default=10)
    # Labels nobody may register under this TLD (e.g. "nic", which holds the TLD's servers).
    reserved_labels = models.JSONField(default=list, blank=True)
    # [{"name": "a.nic.com", "addresses": ["127.0.0.1"]}, ...]
    name_servers = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "registry_tld"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def yearly_price(self) -> str:
        return f"{self.yearly_price_cents / 100:.2f}"


class Registrar(models.Model):
    """An accredited registrar, known to the registry by its client id (as in an EPP login)."""

    client_id = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=100)
    iana_id = models.PositiveIntegerField(unique=True)
    url = models.URLField(blank=True)
    abuse_email = models.EmailField(blank=True)

    class Meta:
        db_table = "registry_registrar"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A contact object (RFC 5733), created by a registrar for its customer."""

    handle = models.CharField(max_length=16, unique=True)
    sponsor = models.ForeignKey(Registrar, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=255)
    organisation = models.CharField(max_length=255, blank=True)
    email = models.EmailField()
    phone = models.CharField(max_length=20, blank=True)
    street = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country_code = models.CharField(max_length=2)
    # The sponsoring registrar asked for its customer's data to be withheld from RDAP.
    is_private = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "registry_contact"

    def __str__(self) -> str:
        return self.handle


class DomainObject(models.Model):
    """A domain object (RFC 5731): who sponsors it, until when, and where it is delegated."""

    name = models.CharField(max_length=253, unique=True)
    tld = models.ForeignKey(Tld, on_delete=models.PROTECT, related_name="domains")
    sponsor = models.ForeignKey(Registrar, on_delete=models.PROTECT, related_name="domains")
    registrant = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+")
    admin = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    tech = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    statuses = models.JSONField(default=list, blank=True)
    auth_code = models.CharField(max_length=64)
    name_servers = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    transferred_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "registry_domain"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def status_values(self) -> list[str]:
        """The EPP status list, `ok` when nothing else is set (RFC 5731 §2.3)."""
        return sorted(self.statuses) or [OK]

    def has_status(self, status: str) -> bool:
        return status in self.statuses

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at <= now

    def is_delegated(self, now: datetime) -> bool:
        """Whether the TLD zone carries this domain's NS records."""
        blocked = {CLIENT_HOLD, PENDING_DELETE, REDEMPTION_PERIOD}
        return bool(self.name_servers) and not blocked & set(self.statuses) and not self.is_expired(now)


class Host(models.Model):
    """A host object (RFC 5732): a name server name and, for in-zone hosts, its glue addresses."""

    name = models.CharField(max_length=253, unique=True)
    sponsor = models.ForeignKey(Registrar, on_delete=models.PROTECT, related_name="hosts")
    # The domain the host lies under, when that domain is at this registry.
    superordinate = models.ForeignKey(
        DomainObject, on_delete=models.CASCADE, related_name="hosts", null=True, blank=True
    )
    addresses = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "registry_host"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DsRecord(models.Model):
    """A delegation signer record (RFC 4034 §5) the TLD zone publishes at the delegation."""

    domain = models.ForeignKey(DomainObject, on_delete=models.CASCADE, related_name="ds_records")
    key_tag = models.PositiveIntegerField()
    algorithm = models.PositiveSmallIntegerField()
    digest_type = models.PositiveSmallIntegerField()
    digest = models.CharField(max_length=128)

    class Meta:
        db_table = "registry_ds_record"
        ordering = ["key_tag", "algorithm", "digest_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "key_tag", "algorithm", "digest_type", "digest"], name="registry_ds_unique"
            )
        ]

    def __str__(self) -> str:
        return self.to_text()

    def to_text(self) -> str:
        return f"{self.key_tag} {self.algorithm} {self.digest_type} {self.digest}"


class Transfer(models.Model):
    """A transfer request (RFC 5731 §3.2.4) from the gaining to the losing registrar."""

    PENDING = "pending"
    CLIENT_APPROVED = "clientApproved"
    CLIENT_REJECTED = "clientRejected"
    CLIENT_CANCELLED = "clientCancelled"
    SERVER_APPROVED = "serverApproved"
    STATUS_CHOICES = [
        (PENDING, PENDING),
        (CLIENT_APPROVED, CLIENT_APPROVED),
        (CLIENT_REJECTED, CLIENT_REJECTED),
        (CLIENT_CANCELLED, CLIENT_CANCELLED),
        (SERVER_APPROVED, SERVER_APPROVED),
    ]

    domain = models.ForeignKey(DomainObject, on_delete=models.CASCADE, related_name="transfers")
    gaining = models.ForeignKey(Registrar, on_delete=models.PROTECT, related_name="+")
    losing = models.ForeignKey(Registrar, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default=PENDING)
    years = models.PositiveSmallIntegerField(default=1)
    requested_at = models.DateTimeField(default=timezone.now)
    act_by = models.DateTimeField()
    acted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "registry_transfer"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain"], condition=models.Q(status="pending"), name="registry_one_pending_transfer"
            )
        ]

    def __str__(self) -> str:
        return f"transfer of {self.domain} ({self.status})"


class PollMessage(models.Model):
    """A message in a registrar's poll queue (RFC 5730 §2.9.2.3): news of its domains that others made.

    Written in the same transaction as the change it reports; it stays queued until the
    registrar acknowledges it.
    """

    TRANSFER = "transfer"
    DELETED = "deleted"
    PURGED = "purged"
    KIND_CHOICES = [(TRANSFER, TRANSFER), (DELETED, DELETED), (PURGED, PURGED)]

    recipient = models.ForeignKey(Registrar, on_delete=models.CASCADE, related_name="+")
    domain_name = models.CharField(max_length=253)
    kind = models.CharField(max_length=16, choices=KIND_CHOICES)
    text = models.CharField(max_length=255)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    queued_at = models.DateTimeField(default=timezone.now)
    acked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "registry_poll_message"
        ordering = ["queued_at", "pk"]
        indexes = [models.Index(fields=["recipient", "acked_at"], name="registry_poll_queue")]

    def __str__(self) -> str:
        return f"{self.kind} {self.domain_name} for {self.recipient}"


class ZoneSerial(models.Model):
    """The SOA serial of one registry zone: a TLD, or "." for the root; bumped on every change."""

    zone = models.CharField(max_length=63, unique=True)
    serial = models.PositiveBigIntegerField(default=1)

    class Meta:
        db_table = "registry_zone_serial"

    def __str__(self) -> str:
        return f"{self.zone} {self.serial}"


class RegistryClock(models.Model):
    """The registry's clock for demonstrations: an offset added to the real time (one row, pk 1).

    Every registry rule reads the time through `registrar.registry.clock.now()`; staff move it
    forward to watch a domain's life cycle in minutes.
    """

    offset_seconds = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "registry_clock"

    def __str__(self) -> str:
        return f"registry clock {self.offset_seconds:+d} s"
