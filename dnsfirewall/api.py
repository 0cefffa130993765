"""The DNS Firewall API: domain lists, rule groups, rules, and associations with networks."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from dnsfirewall import serializers, services
from dnsfirewall.models import (
    FirewallDomainList,
    FirewallRule,
    FirewallRuleGroup,
    FirewallRuleGroupAssociation,
)
from kernel.ownership import OwnedViewSetMixin

RULE_FIELDS = (
    "domain_list",
    "name",
    "priority",
    "action",
    "block_response",
    "override_type",
    "override_value",
    "override_ttl",
)


class DomainListViewSet(OwnedViewSetMixin, viewsets.ModelViewSet):
    """Domain lists: names (`*.example.com` for every name below) that rules match queries against."""

    queryset = FirewallDomainList.objects.all()
    serializer_class = serializers.DomainListSerializer
    http_method_names = ["get", "post", "patch", "delete"]

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.create_domain_list(
            owner=self.request.user, name=data["name"], domains=data.get("domains", [])
        )

    def perform_update(self, serializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.update_domain_list(
            serializer.instance, name=data.get("name"), domains=data.get("domains")
        )

    def perform_destroy(self, instance: FirewallDomainList) -> None:
        services.delete_domain_list(instance)

    @extend_schema(request=serializers.DomainUpdateSerializer, responses=serializers.DomainListSerializer)
    @action(detail=True, methods=["post"], url_path="domains")
    def domains(self, request, pk=None) -> Response:
        """REPLACE the list's domains, ADD some or REMOVE some."""
        domain_list = self.get_object()
        body = serializers.DomainUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        domain_list = services.update_domain_list(
            domain_list, domains=body.validated_data["domains"], operation=body.validated_data["operation"]
        )
        return Response(self.get_serializer(domain_list).data)


class RuleGroupViewSet(OwnedViewSetMixin, viewsets.ModelViewSet):
    """Rule groups: ordered rules, served to the resolvers of their networks as one RPZ zone each."""

    queryset = FirewallRuleGroup.objects.all()
    serializer_class = serializers.RuleGroupSerializer
    http_method_names = ["get", "post", "patch", "delete"]

    def perform_create(self, serializer) -> None:
        serializer.instance = services.create_rule_group(
            owner=self.request.user, name=serializer.validated_data["name"]
        )

    def perform_update(self, serializer) -> None:
        name = serializer.validated_data.get("name", serializer.instance.name)
        serializer.instance = services.rename_rule_group(serializer.instance, name=name)

    def perform_destroy(self, instance: FirewallRuleGroup) -> None:
        services.delete_rule_group(instance)


class RuleViewSet(OwnedViewSetMixin, viewsets.ModelViewSet):
    """Rules: in its group, the rule of the lowest priority whose list matches a query decides it."""

    queryset = FirewallRule.objects.select_related("group", "domain_list")
    serializer_class = serializers.RuleSerializer
    http_method_names = ["get", "post", "put", "patch", "delete"]

    def get_queryset(self):
        queryset = super().get_queryset()
        group = self.request.query_params.get("group", "")
        return queryset.filter(group_id=int(group)) if group.isdigit() else queryset

    def _save(self, serializer, rule: FirewallRule | None = None) -> None:
        data = {field: getattr(rule, field) for field in RULE_FIELDS} if rule is not None else {}
        data.update(serializer.validated_data)
        if data.get("action") != "BLOCK" and "block_response" not in serializer.validated_data:
            # Changing a BLOCK rule to ALLOW or ALERT drops the response it had.
            data["block_response"] = ""
        if rule is not None:
            # A rule stays in its group; moving it would be a new rule of the other group.
            data["group"] = rule.group
        serializer.instance = services.save_rule(rule=rule, **data)

    def perform_create(self, serializer) -> None:
        self._save(serializer)

    def perform_update(self, serializer) -> None:
        self._save(serializer, serializer.instance)

    def perform_destroy(self, instance: FirewallRule) -> None:
        services.delete_rule(instance)


class AssociationViewSet(
    OwnedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Associations: a rule group applied to a network's resolver, at a priority among its groups."""

    queryset = FirewallRuleGroupAssociation.objects.select_related("group", "network")
    serializer_class = serializers.AssociationSerializer

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.associate_rule_group(
            group=data["group"], network=data["network"], priority=data["priority"], name=data.get("name", "")
        )

    @extend_schema(
        request=serializers.AssociationUpdateSerializer, responses=serializers.AssociationSerializer
    )
    def partial_update(self, request, *args, **kwargs) -> Response:
        association = self.get_object()
        body = serializers.AssociationUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        association = services.update_association(association, priority=body.validated_data["priority"])
        return Response(self.get_serializer(association).data)

    def perform_destroy(self, instance: FirewallRuleGroupAssociation) -> None:
        services.disassociate_rule_group(instance)
