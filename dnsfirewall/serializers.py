"""API shapes of domain lists, rule groups, rules and associations.

Rules are not written here: the views call dnsfirewall.services, which calls the rule module;
its refusal becomes DRF's 400 shape in kernel.errors. Ids in a body are looked up among the
caller's own objects only, so another account's id reads as one that does not exist.
"""

from rest_framework import serializers

from dnsfirewall.models import (
    FirewallDomainList,
    FirewallRule,
    FirewallRuleGroup,
    FirewallRuleGroupAssociation,
)
from dnsfirewall.rules import ACTIONS, BLOCK_RESPONSES, OVERRIDE_TYPES
from zones.models import Network


class OwnedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """An id of one of the requesting user's objects."""

    def get_queryset(self):
        return super().get_queryset().owned_by(self.context["request"].user)


class DomainListSerializer(serializers.ModelSerializer):
    domains = serializers.ListField(child=serializers.CharField(max_length=255), required=False)
    domain_count = serializers.SerializerMethodField()

    class Meta:
        model = FirewallDomainList
        fields = ["id", "name", "domains", "domain_count", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def get_domain_count(self, domain_list: FirewallDomainList) -> int:
        return len(domain_list.domains)


class DomainUpdateSerializer(serializers.Serializer):
    """Route 53's UpdateFirewallDomains: REPLACE the list's domains, ADD some or REMOVE some."""

    operation = serializers.ChoiceField(choices=["REPLACE", "ADD", "REMOVE"])
    domains = serializers.ListField(child=serializers.CharField(max_length=255))


class RuleGroupSerializer(serializers.ModelSerializer):
    rpz_zone_name = serializers.CharField(read_only=True)
    rule_count = serializers.SerializerMethodField()

    class Meta:
        model = FirewallRuleGroup
        fields = ["id", "name", "rpz_zone_name", "serial", "rule_count", "created_at", "updated_at"]
        read_only_fields = ["id", "serial", "created_at", "updated_at"]

    def get_rule_count(self, group: FirewallRuleGroup) -> int:
        return group.rules.count()


class RuleSerializer(serializers.ModelSerializer):
    group = OwnedPrimaryKeyField(queryset=FirewallRuleGroup.objects.all())
    domain_list = OwnedPrimaryKeyField(queryset=FirewallDomainList.objects.all())
    action = serializers.ChoiceField(choices=ACTIONS)
    block_response = serializers.ChoiceField(choices=BLOCK_RESPONSES, required=False, allow_blank=True)
    override_type = serializers.ChoiceField(choices=OVERRIDE_TYPES, required=False, allow_blank=True)

    class Meta:
        model = FirewallRule
        fields = [
            "id",
            "group",
            "domain_list",
            "name",
            "priority",
            "action",
            "block_response",
            "override_type",
            "override_value",
            "override_ttl",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        # Uniqueness of the priority is the service's to check, with its own message.
        validators = []


class AssociationSerializer(serializers.ModelSerializer):
    group = OwnedPrimaryKeyField(queryset=FirewallRuleGroup.objects.all())
    network = OwnedPrimaryKeyField(queryset=Network.objects.all())

    class Meta:
        model = FirewallRuleGroupAssociation
        fields = ["id", "group", "network", "name", "priority", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators = []


class AssociationUpdateSerializer(serializers.Serializer):
    priority = serializers.IntegerField(min_value=1)
