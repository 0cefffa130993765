"""Our registrar's customer side: domains, contacts, the ledger, the cart and orders.

The registry's tables live in `registrar/registry/models.py` (imported here so Django sees
them); nothing on this side writes them except through `registrar.registry.commands`.
"""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from kernel.ownership import OwnedQuerySet
from registrar.registry import models as registry_models  # noqa: F401  (registers its tables)


class Domain(models.Model):
    """A domain a customer holds through us (or is transferring in or out)."""

    ACTIVE = "active"
    TRANSFER_IN = "transfer_in"
    TRANSFER_OUT = "transfer_out"
    TRANSFERRED_OUT = "transferred_out"
    TRANSFER_FAILED = "transfer_failed"
    DELETED = "deleted"
    STATE_CHOICES = [
        (ACTIVE, "Active"),
        (TRANSFER_IN, "Transfer in pending"),
        (TRANSFER_OUT, "Transfer out pending"),
        (TRANSFERRED_OUT, "Transferred out"),
        (TRANSFER_FAILED, "Transfer in failed"),
        (DELETED, "Deleted"),
    ]
    MANAGED_STATES = (ACTIVE, TRANSFER_OUT)

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="domains")
    name = models.CharField(max_length=253, help_text="In A-label (punycode) form.")
    unicode_name = models.CharField(max_length=253)
    state = models.CharField(max_length=16, choices=STATE_CHOICES, default=ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    auto_renew = models.BooleanField(default=True)
    transfer_lock = models.BooleanField(default=True)
    privacy = models.BooleanField(default=True)
    # The registry's status list and name servers as last seen (refreshed after each command).
    registry_statuses = models.JSONField(default=list, blank=True)
    name_servers = models.JSONField(default=list, blank=True)
    # The hosted zone this domain goes with: the one it was bought with or that was attached
    # since. Whether the registry delegates to it is `uses_hosted_zone`, read from the name servers.
    hosted_zone = models.ForeignKey(
        "zones.HostedZone", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(state__in=["active", "transfer_in", "transfer_out"]),
                name="registrar_domain_one_live_holder",
            )
        ]

    def __str__(self) -> str:
        return self.unicode_name

    @property
    def tld(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    @property
    def is_managed(self) -> bool:
        return self.state in self.MANAGED_STATES

    @property
    def uses_hosted_zone(self) -> bool:
        """True only while the registry's name servers are exactly the hosted zone's four."""
        if self.hosted_zone is None:
            return False
        zone_hosts = sorted(host.rstrip(".").lower() for host in self.hosted_zone.name_servers)
        return bool(zone_hosts) and sorted(self.name_servers) == zone_hosts

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    def days_left(self, now: datetime | None = None) -> int | None:
        if self.expires_at is None:
            return None
        return (self.expires_at - (now or timezone.now())).days

    def status_badge(self) -> str:
        """The badge class the console shows the domain's state with."""
        if self.state == self.ACTIVE and not self.is_expired() and "clientHold" not in self.registry_statuses:
            return "ok"
        if self.state in (self.TRANSFER_IN, self.TRANSFER_OUT):
            return "warn"
        return "bad"

    def contacts_in_order(self) -> list["DomainContact"]:
        """Registrant, then admin, then tech."""
        order = [role for role, _ in DomainContact.ROLES]
        return sorted(self.contacts.all(), key=lambda contact: order.index(contact.role))

    def status_text(self) -> str:
        if self.state == self.ACTIVE and self.is_expired():
            return "Expired"
        if "redemptionPeriod" in self.registry_statuses:
            return "In redemption"
        return self.get_state_display()


class DomainContact(models.Model):
    """One of a domain's three contacts, mirrored from the registry contact `handle`."""

    REGISTRANT = "registrant"
    ADMIN = "admin"
    TECH = "tech"
    ROLES = [(REGISTRANT, "Registrant"), (ADMIN, "Administrative"), (TECH, "Technical")]

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="contacts")
    role = models.CharField(max_length=10, choices=ROLES)
    handle = models.CharField(max_length=16)
    name = models.CharField(max_length=255)
    organisation = models.CharField(max_length=255, blank=True)
    email = models.EmailField()
    phone = models.CharField(max_length=20, blank=True)
    street = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country_code = models.CharField(max_length=2)

    objects = OwnedQuerySet.as_manager()
    owner_lookup = "domain__owner"

    class Meta:
        ordering = ["domain", "role"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "role"], name="registrar_contact_one_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.role} of {self.domain}"


class LedgerAccount(models.Model):
    """A customer's balance; moved only by conditional updates, never read-modify-write."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    balance_cents = models.BigIntegerField(default=0)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(balance_cents__gte=0), name="registrar_balance_not_negative")
        ]

    def __str__(self) -> str:
        return f"ledger of {self.owner}"


class Order(models.Model):
    """One checkout; the idempotency key makes a repeated submit return the same order."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    idempotency_key = models.CharField(max_length=64)
    total_cents = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "idempotency_key"], name="registrar_order_idempotency")
        ]

    def __str__(self) -> str:
        return f"order {self.pk}"


class OrderLine(models.Model):
    REGISTER = "register"
    RENEW = "renew"
    TRANSFER = "transfer"
    KINDS = [(REGISTER, "Registration"), (RENEW, "Renewal"), (TRANSFER, "Transfer in")]

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=10, choices=KINDS, default=REGISTER)
    name = models.CharField(max_length=253)
    years = models.PositiveSmallIntegerField()
    price_cents = models.PositiveIntegerField()
    domain = models.ForeignKey(Domain, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = OwnedQuerySet.as_manager()
    owner_lookup = "order__owner"

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


class LedgerEntry(models.Model):
    """A movement of a customer's balance: a credit (card top-up), a charge or a refund."""

    CREDIT = "credit"
    CHARGE = "charge"
    REFUND = "refund"
    KINDS = [(CREDIT, "Credit"), (CHARGE, "Charge"), (REFUND, "Refund")]

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=KINDS)
    # Positive for credits and refunds, negative for charges.
    amount_cents = models.BigIntegerField()
    balance_after_cents = models.BigIntegerField()
    description = models.CharField(max_length=255)
    order = models.ForeignKey(Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    domain = models.ForeignKey(Domain, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    card_last4 = models.CharField(max_length=4, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_cents}"


class CartItem(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=253)
    unicode_name = models.CharField(max_length=253)
    years = models.PositiveSmallIntegerField(default=1)
    yearly_price_cents = models.PositiveIntegerField()
    added_at = models.DateTimeField(default=timezone.now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="registrar_cart_one_per_name")]

    def __str__(self) -> str:
        return self.unicode_name

    @property
    def price_cents(self) -> int:
        return self.years * self.yearly_price_cents


class RenewalNotice(models.Model):
    """A claim row: one reminder, auto-renewal or failure notice per domain, expiry and kind."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="renewal_notices")
    expires_at = models.DateTimeField()
    kind = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["domain", "expires_at", "kind"], name="registrar_notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.domain}"
