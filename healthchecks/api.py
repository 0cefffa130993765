"""The health-check and alerting API: thin viewsets that scope to the user and call the services."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from healthchecks import alerting, serializers, services
from healthchecks.models import Alarm, HealthCheck, Notification, SmsOutboxMessage, Subscription, Topic
from kernel.ownership import OwnedViewSetMixin


class HealthCheckViewSet(OwnedViewSetMixin, viewsets.ModelViewSet):
    """Health checks: HTTP, HTTPS, string match, TCP, calculated; any of them inverted or disabled."""

    queryset = HealthCheck.objects.all()
    serializer_class = serializers.HealthCheckSerializer

    def perform_create(self, serializer) -> None:
        serializer.instance = services.create_health_check(
            owner=self.request.user, data=serializer.validated_data
        )

    def perform_update(self, serializer) -> None:
        services.update_health_check(check=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance: HealthCheck) -> None:
        services.delete_health_check(check=instance)

    @extend_schema(responses=serializers.CheckStatusSerializer)
    @action(detail=True, methods=["get"])
    def status(self, request, pk=None) -> Response:
        """The check's status, each region's view, and the latest status changes."""
        check = self.get_object()
        data = {
            "id": check.pk,
            "is_healthy": check.is_healthy,
            "regions": check.region_states.all(),
            "timeline": check.status_changes.all()[:50],
        }
        return Response(serializers.CheckStatusSerializer(data).data)

    @extend_schema(
        parameters=[OpenApiParameter("window", str, enum=list(services.WINDOWS), default="hour")],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=True, methods=["get"])
    def latency(self, request, pk=None) -> Response:
        """Average latency and failures per time bucket and region over the last hour, day or week."""
        return Response(
            services.latency_series(
                check=self.get_object(), window=request.query_params.get("window", "hour")
            )
        )


class TopicViewSet(
    OwnedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Topics: named lists of subscribers that alarms notify."""

    queryset = Topic.objects.all()
    serializer_class = serializers.TopicSerializer

    def perform_create(self, serializer) -> None:
        serializer.instance = alerting.create_topic(
            owner=self.request.user, name=serializer.validated_data["name"]
        )

    def perform_destroy(self, instance: Topic) -> None:
        alerting.delete_topic(topic=instance)


def _limited(error: alerting.ConfirmationLimited) -> Response:
    """429 with the service's sentence, and Retry-After in seconds."""
    return Response(
        {"detail": error.message},
        status=status.HTTP_429_TOO_MANY_REQUESTS,
        headers={"Retry-After": str(error.retry_after_seconds)},
    )


class SubscriptionViewSet(
    OwnedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Subscriptions: an e-mail address or mobile number on a topic, pending until confirmed."""

    queryset = Subscription.objects.select_related("topic")
    serializer_class = serializers.SubscriptionSerializer

    @extend_schema(responses={201: serializers.SubscriptionSerializer, 429: serializers.LimitedSerializer})
    def create(self, request, *args, **kwargs) -> Response:
        """Subscribe an address or number; 429 once the account has had its confirmation texts today."""
        try:
            return super().create(request, *args, **kwargs)
        except alerting.ConfirmationLimited as error:
            return _limited(error)

    def perform_create(self, serializer) -> None:
        serializer.instance = alerting.subscribe(**serializer.validated_data)

    def perform_destroy(self, instance: Subscription) -> None:
        alerting.delete_subscription(subscription=instance)

    @extend_schema(request=serializers.ConfirmCodeSerializer, responses=serializers.SubscriptionSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None) -> Response:
        """Confirm an SMS subscription with the six-digit code it was sent."""
        subscription = self.get_object()
        body = serializers.ConfirmCodeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        subscription = alerting.confirm_by_code(subscription=subscription, code=body.validated_data["code"])
        return Response(serializers.SubscriptionSerializer(subscription, context={"request": request}).data)

    @extend_schema(
        request=None,
        responses={202: serializers.SubscriptionSerializer, 429: serializers.LimitedSerializer},
    )
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None) -> Response:
        """Send the confirmation link or code again (a new code); 429 with Retry-After past the limits."""
        try:
            subscription = alerting.resend_confirmation(subscription=self.get_object())
        except alerting.ConfirmationLimited as error:
            return _limited(error)
        data = serializers.SubscriptionSerializer(subscription, context={"request": request}).data
        return Response(data, status=status.HTTP_202_ACCEPTED)


class AlarmViewSet(OwnedViewSetMixin, viewsets.ModelViewSet):
    """Alarms: tie a health check (or a domain's expiry) to a topic; fire on the change and on recovery."""

    queryset = Alarm.objects.select_related("health_check", "domain", "topic")

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return serializers.AlarmUpdateSerializer
        return serializers.AlarmSerializer

    def perform_create(self, serializer) -> None:
        serializer.instance = alerting.create_alarm(owner=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer) -> None:
        alarm = serializer.instance
        data = serializer.validated_data
        alerting.update_alarm(
            alarm=alarm,
            name=data.get("name", alarm.name),
            topic=data.get("topic", alarm.topic),
            quiet_period_seconds=data.get("quiet_period_seconds", alarm.quiet_period_seconds),
            expiry_warning_days=data.get("expiry_warning_days", alarm.expiry_warning_days),
        )

    def perform_destroy(self, instance: Alarm) -> None:
        alerting.delete_alarm(alarm=instance)


class NotificationViewSet(OwnedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Notification history: every alert message and its delivery state."""

    queryset = Notification.objects.select_related("event")
    serializer_class = serializers.NotificationSerializer


class SmsOutboxViewSet(OwnedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The development SMS outbox: texts kept instead of sent while SMS_GATEWAY_URL is empty."""

    queryset = SmsOutboxMessage.objects.all()
    serializer_class = serializers.SmsOutboxSerializer
