"""API serializers. `validate()` calls the rule module through the services; nothing is checked twice."""

from rest_framework import serializers

from healthchecks import alerting, services
from healthchecks.models import (
    Alarm,
    HealthCheck,
    HealthCheckRegion,
    Notification,
    SmsOutboxMessage,
    StatusChange,
    Subscription,
    Topic,
)


class OwnedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A related object of the requesting user's; another user's id reads as 'does not exist'."""

    def get_queryset(self):
        request = self.context.get("request")
        return super().get_queryset().owned_by(request.user if request else None)


class ChildChecksField(serializers.ListField):
    """Ids of a calculated check's children: written as a list, read from the relation."""

    child = serializers.IntegerField()

    def to_representation(self, data) -> list[int]:
        if hasattr(data, "values_list"):
            return list(data.values_list("pk", flat=True))
        return super().to_representation(data)


class HealthCheckSerializer(serializers.ModelSerializer):
    ip_address = serializers.CharField(required=False, allow_blank=True, allow_null=True, default="")
    regions = serializers.ListField(child=serializers.CharField(), required=False)
    child_checks = ChildChecksField(required=False)
    port = serializers.IntegerField(required=False, allow_null=True)
    failure_threshold = serializers.IntegerField(required=False, default=3)
    timeout_seconds = serializers.FloatField(required=False, default=4.0)
    healthy_children_threshold = serializers.IntegerField(required=False, default=1)

    class Meta:
        model = HealthCheck
        # The editable fields are the ones the service takes, plus the children and the status.
        fields = [
            "id",
            *services.CHECK_FIELDS,
            "child_checks",
            "is_healthy",
            "status_changed_at",
            "created_at",
        ]
        read_only_fields = ["is_healthy", "status_changed_at", "created_at"]

    def to_representation(self, instance: HealthCheck) -> dict:
        data = super().to_representation(instance)
        data["ip_address"] = instance.ip_address or ""
        return data

    def validate(self, attrs: dict) -> dict:
        request = self.context["request"]
        data = dict(attrs)
        if self.instance is None:
            data = services.with_defaults(data)
        else:
            data = services.merged_settings(check=self.instance, data=data)
        problems = services.check_problems(owner=request.user, data=data, check=self.instance)
        if problems:
            errors: dict[str, list[str]] = {}
            for problem in problems:
                errors.setdefault(problem.field, []).append(problem.message)
            raise serializers.ValidationError(errors)
        return data if self.instance is None else attrs


class RegionStatusSerializer(serializers.ModelSerializer):
    class Meta:
        model = HealthCheckRegion
        fields = [
            "region",
            "is_healthy",
            "consecutive_failures",
            "consecutive_successes",
            "last_checked_at",
            "last_status_code",
            "last_latency_ms",
            "last_error",
            "next_run_at",
        ]


class StatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatusChange
        fields = ["changed_at", "is_healthy", "reason"]


class CheckStatusSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    is_healthy = serializers.BooleanField()
    regions = RegionStatusSerializer(many=True)
    timeline = StatusChangeSerializer(many=True)


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["id", "name", "created_at"]
        read_only_fields = ["created_at"]


class SubscriptionSerializer(serializers.ModelSerializer):
    topic = OwnedPrimaryKeyField(queryset=Topic.objects.all())
    is_confirmed = serializers.BooleanField(read_only=True)

    class Meta:
        model = Subscription
        fields = ["id", "topic", "protocol", "endpoint", "is_confirmed", "confirmed_at", "created_at"]
        read_only_fields = ["confirmed_at", "created_at"]

    def validate(self, attrs: dict) -> dict:
        try:
            attrs["endpoint"] = alerting.normalise_endpoint(attrs["protocol"], attrs["endpoint"])
        except alerting.AlertError as error:
            raise serializers.ValidationError(error.as_error_dict())
        return attrs


class LimitedSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Which limit was reached and when to try again, in words")


class ConfirmCodeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=6, min_length=6)


class AlarmSerializer(serializers.ModelSerializer):
    topic = OwnedPrimaryKeyField(queryset=Topic.objects.all())
    state = serializers.CharField(
        read_only=True, help_text="ok, or alarm while the watched check is unhealthy"
    )
    notified_state = serializers.CharField(read_only=True, help_text="The state last announced: ok or alarm")
    health_check = OwnedPrimaryKeyField(queryset=HealthCheck.objects.all(), required=False, allow_null=True)
    # The domains the alarm's foreign key points at (the registrar's), the requester's only.
    domain = OwnedPrimaryKeyField(
        queryset=Alarm._meta.get_field("domain").related_model.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Alarm
        fields = [
            "id",
            "name",
            "health_check",
            "domain",
            "expiry_warning_days",
            "topic",
            "quiet_period_seconds",
            "state",
            "notified_state",
            "state_changed_at",
            "created_at",
        ]
        read_only_fields = ["state", "notified_state", "state_changed_at", "created_at"]


class AlarmUpdateSerializer(AlarmSerializer):
    class Meta(AlarmSerializer.Meta):
        read_only_fields = [*AlarmSerializer.Meta.read_only_fields, "health_check", "domain"]


class NotificationSerializer(serializers.ModelSerializer):
    state = serializers.CharField(read_only=True, help_text="pending, retrying, sent or failed")
    alarm = serializers.IntegerField(source="event.alarm_id", read_only=True)
    event_state = serializers.CharField(source="event.state", read_only=True, help_text="alarm or ok")

    class Meta:
        model = Notification
        fields = [
            "id",
            "alarm",
            "event_state",
            "protocol",
            "endpoint",
            "state",
            "attempts",
            "last_error",
            "created_at",
            "sent_at",
        ]


class SmsOutboxSerializer(serializers.ModelSerializer):
    class Meta:
        model = SmsOutboxMessage
        fields = ["id", "to_number", "body", "created_at"]
