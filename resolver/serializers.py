"""The resolver API's shapes. Validation is the services' (resolver/rules.py); these only carry data."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from resolver.models import QueryLogConfig, QueryLogEntry, ResolverEndpoint, ResolverRule
from zones.models import Network


@extend_schema_field(OpenApiTypes.INT)
class OwnedNetworkField(serializers.PrimaryKeyRelatedField):
    """A network id of the requesting user's; another account's reads as one that does not exist."""

    def get_queryset(self):
        return Network.objects.owned_by(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class OwnedOutboundEndpointField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return ResolverEndpoint.objects.owned_by(self.context["request"].user)


class IpPortSerializer(serializers.Serializer):
    ip = serializers.CharField(max_length=64)
    port = serializers.IntegerField(required=False, help_text="53 for a target; 0 for an outbound address.")


class ResolverEndpointSerializer(serializers.ModelSerializer):
    network = OwnedNetworkField()
    addresses = IpPortSerializer(many=True, required=False)

    class Meta:
        model = ResolverEndpoint
        fields = ["id", "name", "network", "direction", "addresses", "created_at"]
        read_only_fields = ["id", "created_at"]

    def to_representation(self, instance: ResolverEndpoint) -> dict:
        data = super().to_representation(instance)
        data["addresses"] = [{"ip": item.ip, "port": item.port} for item in instance.addresses.all()]
        return data


class ResolverEndpointUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64, required=False)
    addresses = IpPortSerializer(many=True, required=False)


class ResolverRuleSerializer(serializers.ModelSerializer):
    target_ips = IpPortSerializer(many=True, required=False)
    outbound_endpoint = OwnedOutboundEndpointField(required=False, allow_null=True)
    networks = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ResolverRule
        fields = [
            "id",
            "name",
            "domain_name",
            "rule_type",
            "target_ips",
            "outbound_endpoint",
            "networks",
            "created_at",
        ]
        read_only_fields = ["id", "networks", "created_at"]


class ResolverRuleUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64, required=False)
    target_ips = IpPortSerializer(many=True, required=False)
    outbound_endpoint = OwnedOutboundEndpointField(required=False, allow_null=True)


class NetworkAssociationSerializer(serializers.Serializer):
    network = OwnedNetworkField()


class QueryLogConfigSerializer(serializers.ModelSerializer):
    networks = OwnedNetworkField(many=True, required=False)

    class Meta:
        model = QueryLogConfig
        fields = ["id", "name", "networks", "created_at"]
        read_only_fields = ["id", "created_at"]


class QueryLogEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = QueryLogEntry
        fields = [
            "id",
            "network",
            "queried_at",
            "client_address",
            "client_port",
            "protocol",
            "query_name",
            "query_type",
            "rcode",
            "answer",
            "latency_ms",
            "firewall_action",
            "firewall_rule_group",
            "firewall_domain_list",
        ]
        read_only_fields = fields
