"""REST API for domains, the cart, checkout, orders and the ledger (under /api/v1/)."""

from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.ownership import OwnedViewSetMixin
from registrar import serializers as s
from registrar import services
from registrar.models import CartItem, Domain, LedgerEntry, Order


def _valid(serializer_class, request: Request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class DomainViewSet(OwnedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Your registered domains, and the registrar's actions on each (sent to the registry)."""

    queryset = Domain.objects.prefetch_related("contacts").select_related("hosted_zone__delegation_set")
    serializer_class = s.DomainSerializer

    def _reply(self, domain: Domain, code: int = status.HTTP_200_OK) -> Response:
        domain.refresh_from_db()
        return Response(s.DomainSerializer(domain).data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True, description="A name, or one word for every TLD.")
        ],
        responses=s.SearchResultSerializer,
    )
    @action(detail=False, methods=["get"])
    def search(self, request: Request) -> Response:
        """Availability of a name, with suggestions across TLDs and their prices."""
        query = s.SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = services.search_domains(query=query.validated_data["q"])
        if result.problem:
            return Response({"q": [result.problem]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(s.SearchResultSerializer(result).data)

    @extend_schema(responses=s.TldPriceSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def prices(self, request: Request) -> Response:
        """The TLDs on sale, their yearly price and allowed terms."""
        return Response(s.TldPriceSerializer(services.price_list(), many=True).data)

    @extend_schema(request=s.TransferInSerializer, responses={201: s.DomainSerializer})
    @action(detail=False, methods=["post"], url_path="transfer-in")
    def transfer_in(self, request: Request) -> Response:
        """Ask for a domain held at the other registrar, with its auth code; a year is charged."""
        data = _valid(s.TransferInSerializer, request)
        domain = services.transfer_in(owner=request.user, **data)
        return self._reply(domain, status.HTTP_201_CREATED)

    @extend_schema(responses=s.RegistryInfoSerializer)
    @action(detail=True, methods=["get"])
    def registry(self, request: Request, pk: str) -> Response:
        """What the registry holds for the domain: statuses, name servers, glue hosts, DS."""
        return Response(s.RegistryInfoSerializer(services.domain_info(self.get_object())).data)

    @extend_schema(request=s.DomainSettingsSerializer, responses=s.DomainSerializer)
    @action(detail=True, methods=["patch"], url_path="settings")
    def change_settings(self, request: Request, pk: str) -> Response:
        """Turn auto-renew, the transfer lock or privacy protection on or off."""
        domain = services.update_settings(
            domain=self.get_object(), **_valid(s.DomainSettingsSerializer, request)
        )
        return self._reply(domain)

    @extend_schema(request=s.RenewSerializer, responses={201: s.OrderSerializer})
    @action(detail=True, methods=["post"])
    def renew(self, request: Request, pk: str) -> Response:
        """Renew for 1-10 years, charged to the ledger; the same idempotency key renews once."""
        order = services.renew_domain(domain=self.get_object(), **_valid(s.RenewSerializer, request))
        return Response(s.OrderSerializer(order).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.RestoreSerializer, responses={201: s.OrderSerializer})
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str) -> Response:
        """Bring a lapsed or deleted domain back from redemption; a year's fee is charged."""
        order = services.restore_domain(domain=self.get_object(), **_valid(s.RestoreSerializer, request))
        return Response(s.OrderSerializer(order).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.NameServersSerializer, responses=s.DomainSerializer)
    @action(detail=True, methods=["put"], url_path="name-servers")
    def name_servers(self, request: Request, pk: str) -> Response:
        """Delegate to external name servers, or to a hosted zone of the domain's name.

        `use_hosted_zone` reuses your zone of that name (`hosted_zone` picks one when you have
        several) and creates one only when you have none.
        """
        domain = self.get_object()
        data = _valid(s.NameServersSerializer, request)
        if data["use_hosted_zone"]:
            services.use_hosted_zone(domain=domain, hosted_zone_id=data.get("hosted_zone"))
        else:
            services.set_name_servers(domain=domain, name_servers=data["name_servers"])
        return self._reply(domain)

    @extend_schema(methods=["GET"], request=None, responses=s.AuthCodeSerializer)
    @extend_schema(methods=["POST"], request=s.AuthCodeRequestSerializer, responses=s.AuthCodeSerializer)
    @action(detail=True, methods=["get", "post"], url_path="auth-code")
    def auth_code(self, request: Request, pk: str) -> Response:
        """GET: the domain's auth code (transfer password). POST `{"reset": true}`: a new one."""
        domain = self.get_object()
        if request.method == "GET":
            response = Response({"auth_code": services.auth_code(domain)})
        else:
            _valid(s.AuthCodeRequestSerializer, request)
            response = Response({"auth_code": services.reset_auth_code(domain=domain)})
        add_never_cache_headers(response)  # a transfer password: no cache keeps a copy
        return response

    @extend_schema(request=s.DsSerializer, responses=s.RegistryInfoSerializer)
    @action(detail=True, methods=["post"], url_path="ds")
    def ds_add(self, request: Request, pk: str) -> Response:
        """Publish a DS record for the domain in its TLD zone."""
        data = services.add_ds_record(domain=self.get_object(), **_valid(s.DsSerializer, request))
        return Response(s.RegistryInfoSerializer(data).data)

    @extend_schema(request=s.DsSerializer, responses=s.RegistryInfoSerializer)
    @action(detail=True, methods=["post"], url_path="ds/remove")
    def ds_remove(self, request: Request, pk: str) -> Response:
        """Withdraw a DS record."""
        data = services.remove_ds_record(domain=self.get_object(), **_valid(s.DsSerializer, request))
        return Response(s.RegistryInfoSerializer(data).data)

    @extend_schema(methods=["GET"], request=None, responses=s.GlueHostSerializer(many=True))
    @extend_schema(methods=["POST"], request=s.GlueHostSerializer, responses={201: s.GlueHostSerializer})
    @action(detail=True, methods=["get", "post"], url_path="glue-hosts", pagination_class=None)
    def glue_hosts(self, request: Request, pk: str) -> Response:
        """GET: the name-server hosts under the domain. POST: register one with its glue addresses."""
        domain = self.get_object()
        if request.method == "GET":
            return Response(s.GlueHostSerializer(services.glue_hosts(domain), many=True).data)
        data = services.create_glue_host(domain=domain, **_valid(s.GlueHostSerializer, request))
        return Response(s.GlueHostSerializer(data).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses=s.GlueHostSerializer)
    @extend_schema(methods=["DELETE"], request=None, responses={204: None})
    @extend_schema(methods=["PUT"], request=s.GlueAddressesSerializer, responses=s.GlueHostSerializer)
    @action(detail=True, methods=["get", "put", "delete"], url_path=r"glue-hosts/(?P<host>[^/]+)")
    def glue_host(self, request: Request, pk: str, host: str) -> Response:
        """One glue host: GET it, PUT new addresses, DELETE it (refused while a domain uses it)."""
        domain = self.get_object()
        found = services.find_glue_host(domain, host)
        if found is None:
            raise NotFound(f"{host} is not a host under {domain.name}.")
        if request.method == "GET":
            return Response(s.GlueHostSerializer(found).data)
        if request.method == "DELETE":
            services.delete_glue_host(domain=domain, name=found["name"])
            return Response(status=status.HTTP_204_NO_CONTENT)
        addresses = _valid(s.GlueAddressesSerializer, request)["addresses"]
        data = services.update_glue_host(domain=domain, name=found["name"], addresses=addresses)
        return Response(s.GlueHostSerializer(data).data)

    @extend_schema(request=s.ContactChangeSerializer, responses=s.DomainSerializer)
    @action(detail=True, methods=["put"])
    def contacts(self, request: Request, pk: str) -> Response:
        """Replace the registrant, admin or tech contact."""
        domain = self.get_object()
        data = dict(_valid(s.ContactChangeSerializer, request))
        services.update_contact(domain=domain, role=data.pop("role"), contact=data)
        return self._reply(domain)

    @extend_schema(request=s.TransferOutSerializer, responses=s.DomainSerializer)
    @action(detail=True, methods=["post"], url_path="transfer-out")
    def transfer_out(self, request: Request, pk: str) -> Response:
        """Give the auth code to the other registrar, which requests the transfer."""
        domain = self.get_object()
        services.request_transfer_out(domain=domain, **_valid(s.TransferOutSerializer, request))
        return self._reply(domain)

    @extend_schema(request=None, responses=s.DomainSerializer)
    @action(detail=True, methods=["post"], url_path="transfer-out/approve")
    def transfer_out_approve(self, request: Request, pk: str) -> Response:
        """Let a pending transfer out go through now."""
        return self._reply(services.approve_transfer_out(domain=self.get_object()))

    @extend_schema(request=None, responses=s.DomainSerializer)
    @action(detail=True, methods=["post"], url_path="transfer-out/reject")
    def transfer_out_reject(self, request: Request, pk: str) -> Response:
        """Refuse a pending transfer out."""
        return self._reply(services.reject_transfer_out(domain=self.get_object()))

    @extend_schema(request=None, responses=s.DomainSerializer)
    @action(detail=True, methods=["post"], url_path="transfer-in/cancel")
    def transfer_in_cancel(self, request: Request, pk: str) -> Response:
        """Withdraw a pending transfer in; its fee is refunded."""
        return self._reply(services.cancel_transfer_in(domain=self.get_object()))


class CartViewSet(
    OwnedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Names waiting for checkout."""

    queryset = CartItem.objects.all()
    serializer_class = s.CartItemSerializer

    @extend_schema(request=s.CartItemSerializer, responses={201: s.CartItemSerializer})
    def create(self, request: Request) -> Response:
        """Add an available name for 1-10 years (or change the years if it is there)."""
        data = _valid(s.CartItemSerializer, request)
        item = services.add_to_cart(owner=request.user, name=data["name"], years=data["years"])
        return Response(s.CartItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.CartItemUpdateSerializer, responses=s.CartItemSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change the years of a cart item."""
        item = services.update_cart_item(
            item=self.get_object(), **_valid(s.CartItemUpdateSerializer, request)
        )
        return Response(s.CartItemSerializer(item).data)

    def perform_destroy(self, instance: CartItem) -> None:
        services.remove_from_cart(item=instance)


class CheckoutView(APIView):
    """Buy the cart: one charge, one registration per name, all or nothing."""

    @extend_schema(request=s.CheckoutSerializer, responses={201: s.OrderSerializer})
    def post(self, request: Request) -> Response:
        data = _valid(s.CheckoutSerializer, request)
        order = services.checkout(
            owner=request.user, idempotency_key=data["idempotency_key"], contact=data["contact"]
        )
        return Response(s.OrderSerializer(order).data, status=status.HTTP_201_CREATED)


class OrderViewSet(OwnedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Your orders: registrations, renewals and transfers in."""

    queryset = Order.objects.prefetch_related("lines")
    serializer_class = s.OrderSerializer


class LedgerViewSet(OwnedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Your ledger: credits, charges and refunds, newest first."""

    queryset = LedgerEntry.objects.all()
    serializer_class = s.LedgerEntrySerializer

    @extend_schema(responses=s.BalanceSerializer)
    @action(detail=False, methods=["get"])
    def balance(self, request: Request) -> Response:
        """Your current balance."""
        return Response({"balance_cents": services.balance_cents(request.user)})

    @extend_schema(request=s.TopUpSerializer, responses={201: s.LedgerEntrySerializer})
    @action(detail=False, methods=["post"], url_path="top-up")
    def top_up(self, request: Request) -> Response:
        """Add credit with a test card (4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined)."""
        entry = services.top_up(owner=request.user, **_valid(s.TopUpSerializer, request))
        return Response(s.LedgerEntrySerializer(entry).data, status=status.HTTP_201_CREATED)
