"""DNS Firewall: domain lists, rule groups with ordered rules, and their associations with networks.

Field conventions (dnsfirewall/rules.py checks them, dnsfirewall/rpz.py reads them):

- `FirewallDomainList.domains` is a list of lowercase names without the trailing dot, IDNs in
  their A-label form; a leading `*.` label matches every name below ("*.example.com"), and
  `*` alone matches every name.
- A rule's `priority` orders it inside its group, an association's `priority` orders the
  groups of one network: lower first, and the first rule that matches a query decides.
- `FirewallRuleGroup.serial` is the SOA serial of the group's RPZ zone; every change to the
  group, its rules or a domain list they use raises it.
"""

from django.conf import settings
from django.db import models

from kernel.ownership import OwnedQuerySet
from zones.models import Network


class FirewallDomainList(models.Model):
    """A named list of domain names that rules match queries against."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="firewall_domain_lists"
    )
    name = models.CharField(max_length=64)
    domains = models.JSONField(default=list, blank=True)
    # The route53resolver API's CreatorRequestId: a repeated create returns the first one's result.
    creator_request_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="dnsfirewall_domainlist_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class FirewallRuleGroup(models.Model):
    """An ordered set of rules, served to the resolvers of its networks as one RPZ zone."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="firewall_rule_groups"
    )
    name = models.CharField(max_length=64)
    serial = models.PositiveBigIntegerField(default=1)
    # The route53resolver API's CreatorRequestId: a repeated create returns the first one's result.
    creator_request_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="dnsfirewall_rulegroup_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def rpz_zone_name(self) -> str:
        """The RPZ zone's origin, absolute: `<id>.rpz.nameplate.internal.`."""
        return f"{self.pk}.{RPZ_SUFFIX}"


# Below a name no one can register (.internal is reserved for private use), so a zone of
# ours never collides with a customer's.
RPZ_SUFFIX = "rpz.nameplate.internal."


class FirewallRule(models.Model):
    """What to do with queries for the names of one domain list."""

    class Action(models.TextChoices):
        ALLOW = "ALLOW", "Allow"
        BLOCK = "BLOCK", "Block"
        ALERT = "ALERT", "Alert"

    class BlockResponse(models.TextChoices):
        NODATA = "NODATA", "NODATA (the name exists, with no records)"
        NXDOMAIN = "NXDOMAIN", "NXDOMAIN (no such name)"
        OVERRIDE = "OVERRIDE", "Override (answer with a record of ours)"

    owner_lookup = "group__owner"

    group = models.ForeignKey(FirewallRuleGroup, on_delete=models.CASCADE, related_name="rules")
    domain_list = models.ForeignKey(FirewallDomainList, on_delete=models.PROTECT, related_name="rules")
    name = models.CharField(max_length=64)
    priority = models.PositiveIntegerField()
    action = models.CharField(max_length=5, choices=Action.choices)
    block_response = models.CharField(max_length=8, choices=BlockResponse.choices, blank=True)
    override_type = models.CharField(max_length=10, blank=True, help_text="CNAME, A or AAAA.")
    override_value = models.CharField(max_length=255, blank=True)
    override_ttl = models.PositiveIntegerField(default=60)
    # The route53resolver API's CreatorRequestId: a repeated create returns the first one's result.
    creator_request_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["group", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["group", "priority"], name="dnsfirewall_rule_unique_priority")
        ]

    def __str__(self) -> str:
        return f"{self.priority} {self.action} {self.domain_list.name}"


class FirewallRuleGroupAssociation(models.Model):
    """A rule group applied to a network's resolver, at a priority among the network's groups."""

    owner_lookup = "group__owner"

    group = models.ForeignKey(FirewallRuleGroup, on_delete=models.CASCADE, related_name="associations")
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="firewall_associations")
    name = models.CharField(max_length=64, blank=True)
    priority = models.PositiveIntegerField()
    # The route53resolver API's CreatorRequestId: a repeated create returns the first one's result.
    creator_request_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["network", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "priority"], name="dnsfirewall_association_unique_priority"
            ),
            models.UniqueConstraint(fields=["network", "group"], name="dnsfirewall_association_unique_group"),
        ]

    def __str__(self) -> str:
        return f"{self.group.name} on {self.network.name}"
