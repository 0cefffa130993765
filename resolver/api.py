"""The Resolver API under /api/v1/resolver/: endpoints, rules, query-log configurations, query logs.

Every object is the requesting user's; another account's is a 404, and another account's
network id reads as one that does not exist.
"""

from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from kernel.ownership import OwnedViewSetMixin, get_owned_object_or_404
from resolver import serializers, services
from resolver.errors import ResolverError
from resolver.models import QueryLogConfig, QueryLogEntry, ResolverEndpoint, ResolverRule
from zones.models import Network


def _association(request) -> Network:
    body = serializers.NetworkAssociationSerializer(data=request.data, context={"request": request})
    body.is_valid(raise_exception=True)
    return body.validated_data["network"]


class ResolverEndpointViewSet(OwnedViewSetMixin, viewsets.ModelViewSet):
    """Inbound endpoints (where a network's clients ask) and outbound ones (source addresses)."""

    queryset = ResolverEndpoint.objects.select_related("network").prefetch_related("addresses")
    serializer_class = serializers.ResolverEndpointSerializer
    http_method_names = ["get", "post", "patch", "delete"]

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.create_resolver_endpoint(
            owner=self.request.user,
            network=data["network"],
            name=data["name"],
            direction=data["direction"],
            addresses=data.get("addresses", ()),
        )

    @extend_schema(
        request=serializers.ResolverEndpointUpdateSerializer, responses=serializers.ResolverEndpointSerializer
    )
    def partial_update(self, request, *args, **kwargs) -> Response:
        endpoint = self.get_object()
        update = serializers.ResolverEndpointUpdateSerializer(data=request.data)
        update.is_valid(raise_exception=True)
        services.update_resolver_endpoint(endpoint, **update.validated_data)
        return Response(self.get_serializer(endpoint).data)

    def perform_destroy(self, instance: ResolverEndpoint) -> None:
        services.delete_resolver_endpoint(instance)


class ResolverRuleViewSet(OwnedViewSetMixin, viewsets.ModelViewSet):
    """FORWARD rules (a domain to target addresses) and SYSTEM rules, associated with networks."""

    queryset = ResolverRule.objects.prefetch_related("networks")
    serializer_class = serializers.ResolverRuleSerializer
    http_method_names = ["get", "post", "patch", "delete"]

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.create_resolver_rule(
            owner=self.request.user,
            name=data["name"],
            domain_name=data["domain_name"],
            rule_type=data["rule_type"],
            target_ips=data.get("target_ips", ()),
            outbound_endpoint=data.get("outbound_endpoint"),
        )

    @extend_schema(
        request=serializers.ResolverRuleUpdateSerializer, responses=serializers.ResolverRuleSerializer
    )
    def partial_update(self, request, *args, **kwargs) -> Response:
        rule = self.get_object()
        update = serializers.ResolverRuleUpdateSerializer(data=request.data, context={"request": request})
        update.is_valid(raise_exception=True)
        services.update_resolver_rule(rule, **update.validated_data)
        return Response(self.get_serializer(rule).data)

    def perform_destroy(self, instance: ResolverRule) -> None:
        services.delete_resolver_rule(instance)

    @extend_schema(
        request=serializers.NetworkAssociationSerializer, responses=serializers.ResolverRuleSerializer
    )
    @action(detail=True, methods=["post"])
    def associate(self, request, pk=None) -> Response:
        """Use the rule in a network's resolver (applied live)."""
        rule = self.get_object()
        services.associate_resolver_rule(rule, _association(request))
        return Response(self.get_serializer(rule).data)

    @extend_schema(
        request=serializers.NetworkAssociationSerializer, responses=serializers.ResolverRuleSerializer
    )
    @action(detail=True, methods=["post"])
    def disassociate(self, request, pk=None) -> Response:
        rule = self.get_object()
        services.disassociate_resolver_rule(rule, _association(request))
        return Response(self.get_serializer(rule).data)


class QueryLogConfigViewSet(
    OwnedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Query-log configurations: the networks whose queries are kept."""

    queryset = QueryLogConfig.objects.prefetch_related("networks")
    serializer_class = serializers.QueryLogConfigSerializer

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.create_query_log_config(
            owner=self.request.user, name=data["name"], networks=data.get("networks", ())
        )

    def perform_destroy(self, instance: QueryLogConfig) -> None:
        services.delete_query_log_config(instance)

    @extend_schema(
        request=serializers.NetworkAssociationSerializer, responses=serializers.QueryLogConfigSerializer
    )
    @action(detail=True, methods=["post"])
    def associate(self, request, pk=None) -> Response:
        config = self.get_object()
        services.associate_query_log_config(config, _association(request))
        return Response(self.get_serializer(config).data)

    @extend_schema(
        request=serializers.NetworkAssociationSerializer, responses=serializers.QueryLogConfigSerializer
    )
    @action(detail=True, methods=["post"])
    def disassociate(self, request, pk=None) -> Response:
        config = self.get_object()
        services.disassociate_query_log_config(config, _association(request))
        return Response(self.get_serializer(config).data)


def _moment(request, name: str):
    text = request.query_params.get(name, "").strip()
    if not text:
        return None
    moment = parse_datetime(text)
    if moment is None:
        raise ResolverError(f"{text} is not a date and time (ISO 8601)", name)
    return moment


QUERY_LOG_FILTERS = [
    OpenApiParameter("network", int, description="Only this network's queries."),
    OpenApiParameter("name", str, description="Query name contains."),
    OpenApiParameter("type", str, description="Query type, e.g. A."),
    OpenApiParameter("rcode", str, description="Response code, e.g. NXDOMAIN."),
    OpenApiParameter("client", str, description="Client address."),
    OpenApiParameter("firewall_action", str, description="What the DNS Firewall did: ALLOW, BLOCK or ALERT."),
    OpenApiParameter("since", str, description="At or after (ISO 8601)."),
    OpenApiParameter("until", str, description="Before (ISO 8601)."),
]


class QueryLogEntryViewSet(OwnedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The queries your networks' resolvers answered, newest first."""

    queryset = QueryLogEntry.objects.all()
    serializer_class = serializers.QueryLogEntrySerializer

    def get_queryset(self):
        params = self.request.query_params
        queryset = super().get_queryset()
        network = params.get("network", "").strip()
        if network:
            if not network.isdigit():
                raise ResolverError(f"{network} is not a network id", "network")
            queryset = queryset.filter(network_id=int(network))
        return services.filter_query_log(
            queryset,
            name=params.get("name", ""),
            qtype=params.get("type", ""),
            rcode=params.get("rcode", ""),
            client=params.get("client", ""),
            firewall_action=params.get("firewall_action", ""),
            since=_moment(self.request, "since"),
            until=_moment(self.request, "until"),
        )

    @extend_schema(parameters=QUERY_LOG_FILTERS)
    def list(self, request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[OpenApiParameter("network", int, required=True), OpenApiParameter("minutes", int)],
        responses=inline_serializer(
            "QueriesPerMinute",
            {"minute": drf_serializers.DateTimeField(), "count": drf_serializers.IntegerField()},
            many=True,
        ),
    )
    @action(detail=False, methods=["get"], url_path="per-minute")
    def per_minute(self, request) -> Response:
        """Queries per minute of one network, for the last `minutes` (at most 1440, default 60)."""
        network = get_owned_object_or_404(Network, request.user, pk=request.query_params.get("network", ""))
        try:
            minutes = max(1, min(1440, int(request.query_params.get("minutes", 60))))
        except ValueError:
            minutes = 60
        rows = services.queries_per_minute(network, minutes=minutes)
        return Response(
            [{"minute": row["minute"].isoformat(), "count": row["count"]} for row in rows], status.HTTP_200_OK
        )
