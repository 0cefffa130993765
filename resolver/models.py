"""The Resolver's objects: endpoints, rules and query logs, each about networks (zones.Network).

Route 53's nouns: a ResolverEndpoint (INBOUND: where a network's clients ask; OUTBOUND: the
addresses forwarded queries leave from), a ResolverRule (FORWARD a domain to target addresses,
or SYSTEM: resolve it normally) associated with networks, and a QueryLogConfig whose networks'
queries are kept as QueryLogEntry rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from dnsfirewall.models import FirewallDomainList, FirewallRule, FirewallRuleGroup
from kernel.ownership import OwnedQuerySet
from zones.models import Network


class ResolverEndpoint(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "INBOUND", "Inbound"
        OUTBOUND = "OUTBOUND", "Outbound"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resolver_endpoints"
    )
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="resolver_endpoints")
    name = models.CharField(max_length=64)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="resolver_endpoint_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_inbound(self) -> bool:
        return self.direction == self.Direction.INBOUND


class EndpointAddress(models.Model):
    """One address of an endpoint: where an inbound one listens (IP and port), or a source IP.

    An outbound address has port 0. No two inbound addresses are the same IP and port, so one
    network's endpoint can never take another's.
    """

    endpoint = models.ForeignKey(ResolverEndpoint, on_delete=models.CASCADE, related_name="addresses")
    ip = models.GenericIPAddressField()
    port = models.PositiveIntegerField(default=0)

    objects = OwnedQuerySet.as_manager()
    owner_lookup = "endpoint__owner"

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ip", "port"], condition=Q(port__gt=0), name="resolver_address_unique_listener"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ip}@{self.port}" if self.port else self.ip

    @property
    def dig_command(self) -> str:
        """How to ask this inbound address from a shell."""
        return f"dig @{self.ip}" + ("" if self.port == 53 else f" -p {self.port}")


class ResolverRule(models.Model):
    class RuleType(models.TextChoices):
        FORWARD = "FORWARD", "Forward"
        SYSTEM = "SYSTEM", "System"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resolver_rules"
    )
    name = models.CharField(max_length=64)
    domain_name = models.CharField(max_length=255, help_text="Absolute, lowercase, with the trailing dot.")
    rule_type = models.CharField(max_length=8, choices=RuleType.choices)
    # [{"ip": "192.0.2.1", "port": 53}, ...]; empty for a SYSTEM rule.
    target_ips = models.JSONField(default=list, blank=True)
    outbound_endpoint = models.ForeignKey(
        ResolverEndpoint, on_delete=models.PROTECT, null=True, blank=True, related_name="rules"
    )
    networks = models.ManyToManyField(Network, blank=True, related_name="resolver_rules")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["domain_name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="resolver_rule_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.rule_type} {self.domain_name})"

    @property
    def targets_text(self) -> str:
        return ", ".join(f"{target['ip']}:{target['port']}" for target in self.target_ips)


class QueryLogConfig(models.Model):
    """Keep every query of these networks' resolvers (time, client, name, type, rcode, answer, latency)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="query_log_configs"
    )
    name = models.CharField(max_length=64)
    networks = models.ManyToManyField(Network, blank=True, related_name="query_log_configs")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="resolver_querylog_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class QueryLogEntry(models.Model):
    """One query a network's resolver answered, read back from unbound's dnstap stream."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="query_log_entries")
    queried_at = models.DateTimeField()
    client_address = models.GenericIPAddressField()
    client_port = models.PositiveIntegerField(default=0)
    protocol = models.CharField(max_length=3, default="udp")
    query_name = models.CharField(max_length=255)
    query_type = models.CharField(max_length=10)
    rcode = models.CharField(max_length=10)
    # The answer section as text, one record a line.
    answer = models.TextField(blank=True)
    latency_ms = models.FloatField(null=True, blank=True)
    # What the DNS Firewall did with the query, as Route 53's query logs say it (read from
    # unbound's rpz log); empty when no rule matched.
    firewall_action = models.CharField(max_length=5, blank=True, choices=FirewallRule.Action.choices)
    firewall_rule_group = models.ForeignKey(
        FirewallRuleGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    firewall_domain_list = models.ForeignKey(
        FirewallDomainList, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = OwnedQuerySet.as_manager()
    owner_lookup = "network__owner"

    class Meta:
        ordering = ["-queried_at", "-id"]
        indexes = [models.Index(fields=["network", "queried_at"], name="resolver_log_network_time")]

    def __str__(self) -> str:
        return f"{self.queried_at:%H:%M:%S} {self.client_address} {self.query_name} {self.query_type}"

    @property
    def firewall_badge(self) -> str:
        """The console's badge colour for the firewall's action."""
        return {"ALLOW": "ok", "BLOCK": "bad", "ALERT": "warn"}.get(self.firewall_action, "")
