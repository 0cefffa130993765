"""The zones API: hosted zones, record sets, change batches, networks, endpoints, delegation sets."""

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import scopes
from healthchecks.models import HealthCheck
from kernel.ownership import OwnedViewSetMixin
from zones import importexport, serializers, services
from zones.models import AuditEntry, ChangeBatch, DelegationSet, Endpoint, HostedZone, Network, RecordSet
from zones.services.listing import filter_record_sets, keyset_page


class HostedZoneViewSet(OwnedViewSetMixin, viewsets.ModelViewSet):
    """Hosted zones. Creating one adds its SOA and NS; a zone with other record sets cannot be deleted."""

    # One zone's networks are one query whether prefetched or not; the list reads its own.
    queryset = HostedZone.objects.select_related("delegation_set")
    serializer_class = serializers.HostedZoneSerializer
    http_method_names = ["get", "post", "patch", "delete"]
    token_zone_scope = True

    def get_object(self) -> HostedZone:
        zone = super().get_object()
        # get_queryset finds only the requester's zones: the owner is the requester, no query needed.
        zone.owner = self.request.user
        return zone

    def visible_zone_id(self) -> int:
        """The URL's zone id when `get_object` would find the zone (Http404 otherwise), reading no zone.

        For views that need only the zone's record sets: the zone object with its
        delegation set cost as much as a page of them. The same queryset decides (the
        requester's zones, narrowed to a scoped token's); TokenScopePermission has already
        checked this URL's zone against the token.
        """
        zones = self.filter_queryset(self.get_queryset())
        try:
            zone_id = zones.filter(pk=self.kwargs["pk"]).values_list("pk", flat=True).first()
        except (TypeError, ValueError):  # an id that is no number, as get_object_or_404 takes it
            zone_id = None
        if zone_id is None:
            # What get_object_or_404 answers for a zone that is not the requester's.
            raise Http404(f"No {HostedZone._meta.object_name} matches the given query.")
        return zone_id

    def scoped_zone_id(self) -> int | None:
        # A new zone is in no token's list of zones, so a zone-scoped token cannot create one.
        return 0 if self.action == "create" else self.kwargs.get("pk")

    def get_queryset(self):
        queryset = scopes.scoped_queryset(self.request, super().get_queryset(), "pk")
        search = self.request.query_params.get("search", "").strip().lower()
        return queryset.filter(name__contains=search) if search else queryset

    @extend_schema(parameters=[OpenApiParameter("search", str, description="Name contains.")])
    def list(self, request, *args, **kwargs) -> Response:
        """The zones by name, a page at a time, read as plain rows (no model or field per zone)."""
        zones = self.filter_queryset(self.get_queryset()).values(*serializers.HOSTED_ZONE_LIST_VALUES)
        page = self.paginate_queryset(zones)
        return self.get_paginated_response(serializers.hosted_zone_list_values(page))

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.create_hosted_zone(
            owner=self.request.user,
            name=data["name"],
            caller_reference=data.get("caller_reference"),
            comment=data.get("comment", ""),
            is_private=data.get("is_private", False),
            networks=data.get("networks", ()),
            delegation_set=data.get("delegation_set"),
            source=ChangeBatch.Source.API,
            tags=data.get("tags"),
        )

    @extend_schema(request=serializers.HostedZoneUpdateSerializer, responses=serializers.HostedZoneSerializer)
    def partial_update(self, request, *args, **kwargs) -> Response:
        zone = self.get_object()
        update = serializers.HostedZoneUpdateSerializer(data=request.data, context={"request": request})
        update.is_valid(raise_exception=True)
        services.update_hosted_zone(zone, **update.validated_data)
        return Response(self.get_serializer(zone).data)

    def perform_destroy(self, instance: HostedZone) -> None:
        services.delete_hosted_zone(instance)

    @extend_schema(
        parameters=[
            OpenApiParameter("name", str, description="Name contains."),
            OpenApiParameter("type", str, description="Record type."),
            OpenApiParameter("policy", str, description="Routing policy."),
            OpenApiParameter("after", str, description="Cursor: the page after this one."),
            OpenApiParameter("before", str, description="Cursor: the page before this one."),
            OpenApiParameter("page_size", int, description="At most 500 (default 100)."),
        ],
        responses=serializers.RecordSetPageSerializer,
    )
    @action(detail=True, methods=["get"], url_path="rrsets")
    def rrsets(self, request, pk=None) -> Response:
        """The zone's record sets in (name, type, set identifier) order, a keyset page at a time."""
        params = request.query_params
        queryset = filter_record_sets(
            RecordSet.objects.filter(hosted_zone_id=self.visible_zone_id()),
            name=params.get("name", ""),
            rtype=params.get("type", ""),
            policy=params.get("policy", ""),
        )
        try:
            size = max(1, min(500, int(params.get("page_size", 100))))
        except ValueError:
            size = 100
        page = keyset_page(
            serializers.RecordSetSerializer.representations(queryset),
            after=params.get("after"),
            before=params.get("before"),
            size=size,
        )
        return Response(
            {
                "results": page.rows,
                "next": page.next_cursor,
                "previous": page.previous_cursor,
            }
        )

    @extend_schema(
        request=serializers.ChangeBatchRequestSerializer,
        responses={201: serializers.ChangeBatchSerializer, 200: serializers.ChangeBatchSerializer(many=True)},
    )
    @action(detail=True, methods=["get", "post"], url_path="changes")
    def changes(self, request, pk=None) -> Response:
        """GET: the zone's change batches, newest first. POST: apply a change batch, all or nothing."""
        zone = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(zone.change_batches.all())
            return self.get_paginated_response(serializers.ChangeBatchSerializer(page, many=True).data)
        body = serializers.ChangeBatchRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        changes = [
            services.Change(change["action"], serializers.RecordSetSerializer.to_spec(change["record_set"]))
            for change in body.validated_data["changes"]
        ]
        try:
            batch = services.apply_change_batch(
                hosted_zone=zone,
                changes=changes,
                actor=request.user,
                source=ChangeBatch.Source.API,
                comment=body.validated_data["comment"],
            )
        except services.ChangeBatchError as error:
            return Response(serializers.change_batch_errors(error), status=status.HTTP_400_BAD_REQUEST)
        return Response(serializers.ChangeBatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=serializers.AuditEntrySerializer(many=True))
    @action(detail=True, methods=["get"], url_path="history")
    def history(self, request, pk=None) -> Response:
        """The audit log: each change with the record set before and after."""
        zone = self.get_object()
        queryset = AuditEntry.objects.filter(hosted_zone=zone).select_related("actor")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializers.AuditEntrySerializer(page, many=True).data)

    @extend_schema(responses={(200, "text/dns"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], url_path="export")
    def export(self, request, pk=None) -> HttpResponse:
        """The zone as a BIND master file."""
        zone = self.get_object()
        return HttpResponse(importexport.export_zone(zone), content_type="text/dns; charset=utf-8")


class ChangeBatchViewSet(OwnedViewSetMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A change batch's status: PENDING until every live DNS server serves its serial, then INSYNC."""

    queryset = ChangeBatch.objects.all()
    serializer_class = serializers.ChangeBatchSerializer
    token_zone_scope = True

    def retrieve(self, request, *args, **kwargs) -> Response:
        batch = services.refresh_change_status(self.get_object())
        return Response(self.get_serializer(batch).data)


class NetworkViewSet(OwnedViewSetMixin, viewsets.ModelViewSet):
    """Networks (named CIDR lists) that private hosted zones answer inside."""

    queryset = Network.objects.all()
    serializer_class = serializers.NetworkSerializer
    http_method_names = ["get", "post", "put", "patch", "delete"]

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.save_network(
            owner=self.request.user, name=data["name"], cidrs=data["cidrs"]
        )

    def perform_update(self, serializer) -> None:
        instance = serializer.instance
        data = serializer.validated_data
        serializer.instance = services.save_network(
            owner=self.request.user,
            name=data.get("name", instance.name),
            cidrs=data.get("cidrs", instance.cidrs),
            network=instance,
        )

    def perform_destroy(self, instance: Network) -> None:
        services.delete_network(instance)


class EndpointViewSet(OwnedViewSetMixin, viewsets.ModelViewSet):
    """Alias endpoints: load balancers, CDN distributions and bucket websites with their own addresses."""

    queryset = Endpoint.objects.all()
    serializer_class = serializers.EndpointSerializer
    http_method_names = ["get", "post", "put", "patch", "delete"]

    def _health_check(self, data: dict, instance: Endpoint | None = None):
        if "health_check_id" not in data:
            return instance.health_check if instance else None
        check_id = data["health_check_id"]
        if check_id is None:
            return None
        check = HealthCheck.objects.owned_by(self.request.user).filter(pk=check_id).first()
        if check is None:
            raise services.ZoneError(f"There is no health check {check_id} of yours.", field="health_check")
        return check

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.save_endpoint(
            owner=self.request.user,
            name=data["name"],
            kind=data.get("kind", Endpoint.Kind.LOAD_BALANCER),
            addresses=data["addresses"],
            ttl=data.get("ttl", 60),
            health_check=self._health_check(data),
        )

    def perform_update(self, serializer) -> None:
        instance = serializer.instance
        data = serializer.validated_data
        serializer.instance = services.save_endpoint(
            owner=self.request.user,
            name=data.get("name", instance.name),
            kind=data.get("kind", instance.kind),
            addresses=data.get("addresses", instance.addresses),
            ttl=data.get("ttl", instance.ttl),
            health_check=self._health_check(data, instance),
            endpoint=instance,
        )

    def perform_destroy(self, instance: Endpoint) -> None:
        services.delete_endpoint(instance)


class DelegationSetViewSet(
    OwnedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Reusable delegation sets: four name servers that several hosted zones can share."""

    queryset = DelegationSet.objects.all()
    serializer_class = serializers.DelegationSetSerializer

    def perform_create(self, serializer) -> None:
        serializer.instance = services.create_delegation_set(
            owner=self.request.user, caller_reference=serializer.validated_data.get("caller_reference")
        )

    def perform_destroy(self, instance: DelegationSet) -> None:
        services.delete_delegation_set(instance)
