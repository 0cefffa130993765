from rest_framework import serializers

from console.models import ApiToken, User


class MeSerializer(serializers.ModelSerializer):
    is_email_verified = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "mobile_number", "is_email_verified", "date_joined"]
        read_only_fields = ["id", "email", "date_joined"]


class ApiTokenSerializer(serializers.ModelSerializer):
    is_revoked = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at", "is_revoked"]
        read_only_fields = ["id", "prefix", "created_at", "last_used_at", "revoked_at"]


class NewApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The secret, shown only in this answer.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]


class DnsAnswerQuerySerializer(serializers.Serializer):
    hosted_zone_id = serializers.IntegerField()
    record_name = serializers.CharField(max_length=253)
    record_type = serializers.CharField(max_length=10)
    resolver_ip = serializers.CharField(required=False, allow_blank=True, default="")
    client_subnet = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="EDNS client subnet, e.g. 203.0.113.0/24."
    )


class DnsAnswerSerializer(serializers.Serializer):
    name_server = serializers.CharField()
    record_name = serializers.CharField()
    record_type = serializers.CharField()
    response_code = serializers.CharField()
    protocol = serializers.CharField()
    is_authoritative = serializers.BooleanField()
    record_data = serializers.ListField(child=serializers.CharField())
    answer = serializers.ListField(child=serializers.CharField())
    authority = serializers.ListField(child=serializers.CharField())
    additional = serializers.ListField(child=serializers.CharField())
    scope_prefix = serializers.IntegerField(allow_null=True)
    reasons = serializers.ListField(child=serializers.DictField())
