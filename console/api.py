from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status, views, viewsets
from rest_framework.response import Response

from console import accounts, tools
from console.models import ApiToken
from console.ownership import OwnedViewSetMixin, get_owned_object_or_404
from console.serializers import (
    ApiTokenSerializer,
    DnsAnswerQuerySerializer,
    DnsAnswerSerializer,
    MeSerializer,
    NewApiTokenSerializer,
)
from zones.models import HostedZone


class MeView(generics.RetrieveUpdateAPIView):
    """The account the request is authenticated as."""

    serializer_class = MeSerializer

    def get_object(self):
        return self.request.user


class ApiTokenViewSet(
    OwnedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """API tokens. Creating one answers with its secret, once; deleting one revokes it."""

    queryset = ApiToken.objects.all()
    serializer_class = ApiTokenSerializer

    @extend_schema(request=ApiTokenSerializer, responses={201: NewApiTokenSerializer})
    def create(self, request, *args, **kwargs) -> Response:
        serializer = ApiTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = accounts.create_api_token(owner=request.user, name=serializer.validated_data["name"])
        token.token = key
        return Response(NewApiTokenSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ApiToken) -> None:
        accounts.revoke_api_token(instance)


class DnsAnswerView(views.APIView):
    """Route 53's TestDNSAnswer: what our name server answers for a question, and why."""

    @extend_schema(parameters=[DnsAnswerQuerySerializer], responses=DnsAnswerSerializer)
    def get(self, request) -> Response:
        query = DnsAnswerQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = dict(query.validated_data)
        zone = get_owned_object_or_404(HostedZone, request.user, pk=params.pop("hosted_zone_id"))
        report = tools.explain_dns_answer(hosted_zone=zone, **params)
        return Response(DnsAnswerSerializer(report).data)
