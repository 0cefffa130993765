from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, permissions, status, viewsets
from rest_framework.response import Response

from accounts import scopes, services, twofactor
from accounts.models import ApiToken
from accounts.serializers import ApiTokenSerializer, MeSerializer, NewApiTokenSerializer
from kernel.ownership import OwnedViewSetMixin


class MeView(generics.RetrieveUpdateAPIView):
    """The account the request is authenticated as."""

    serializer_class = MeSerializer

    def get_object(self):
        return self.request.user


class TwoFactorVerified(permissions.BasePermission):
    """A session whose user turned two-factor log-in on must have given a code."""

    message = "two-factor log-in is on for this account: log in with your code to manage API tokens"

    def has_permission(self, request, view) -> bool:
        if request.auth is not None:  # an API token, made by a verified session
            return True
        return not twofactor.has_two_factor(request.user) or request.user.is_verified()


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
    permission_classes = [permissions.IsAuthenticated, scopes.TokenScopePermission, TwoFactorVerified]

    @extend_schema(request=ApiTokenSerializer, responses={201: NewApiTokenSerializer})
    def create(self, request, *args, **kwargs) -> Response:
        serializer = ApiTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        token, key = services.create_api_token(
            owner=request.user,
            name=data["name"],
            zone_ids=data.get("zone_ids"),
            is_read_only=data.get("is_read_only", False),
            expires_at=data.get("expires_at"),
        )
        token.token = key
        return Response(NewApiTokenSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ApiToken) -> None:
        services.revoke_api_token(instance)
