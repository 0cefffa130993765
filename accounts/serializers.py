from rest_framework import serializers

from accounts import scopes
from accounts.models import ApiToken, User


class MeSerializer(serializers.ModelSerializer):
    is_email_verified = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "mobile_number", "is_email_verified", "date_joined"]
        read_only_fields = ["id", "email", "date_joined"]


class ApiTokenSerializer(serializers.ModelSerializer):
    is_revoked = serializers.BooleanField(read_only=True)
    zone_ids = serializers.ListField(
        child=serializers.IntegerField(),
        allow_null=True,
        required=False,
        help_text="The hosted zones it may use; null or left out: every zone.",
    )
    scope = serializers.SerializerMethodField(help_text="The scope in words.")

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "zone_ids",
            "is_read_only",
            "expires_at",
            "scope",
            "created_at",
            "last_used_at",
            "revoked_at",
            "is_revoked",
        ]
        read_only_fields = ["id", "prefix", "created_at", "last_used_at", "revoked_at"]

    def get_scope(self, token: ApiToken) -> str:
        return scopes.describe(token)


class NewApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The secret, shown only in this answer.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
