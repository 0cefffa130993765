"""API shapes of hosted zones, record sets, change batches, networks, endpoints and delegation sets.

Rules are not written here: change batches go through `services.apply_change_batch`, which
calls the rule module; its refusal becomes DRF's 400 shape in kernel.errors.
"""

from rest_framework import serializers

from zones import rules
from zones.models import AuditEntry, ChangeBatch, DelegationSet, Endpoint, HostedZone, Network, RecordSet


class NetworkSerializer(serializers.ModelSerializer):
    cidrs = serializers.ListField(child=serializers.CharField(max_length=64), allow_empty=False)

    class Meta:
        model = Network
        fields = ["id", "name", "cidrs", "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate_cidrs(self, value: list[str]) -> list[str]:
        problems = rules.cidr_problems(value)
        if problems:
            raise serializers.ValidationError([problem.message.split(": ", 1)[1] for problem in problems])
        return value


class EndpointSerializer(serializers.ModelSerializer):
    addresses = serializers.ListField(child=serializers.CharField(max_length=64), allow_empty=False)
    health_check = serializers.IntegerField(source="health_check_id", allow_null=True, required=False)

    class Meta:
        model = Endpoint
        fields = ["id", "name", "kind", "addresses", "ttl", "health_check", "created_at"]
        read_only_fields = ["id", "created_at"]


class DelegationSetSerializer(serializers.ModelSerializer):
    name_servers = serializers.ListField(child=serializers.CharField(), read_only=True)
    caller_reference = serializers.CharField(max_length=128, required=False, allow_null=True)
    hosted_zone_count = serializers.SerializerMethodField()

    class Meta:
        model = DelegationSet
        fields = ["id", "caller_reference", "name_servers", "is_reusable", "hosted_zone_count", "created_at"]
        read_only_fields = ["id", "name_servers", "is_reusable", "created_at"]

    def get_hosted_zone_count(self, obj: DelegationSet) -> int:
        return obj.hosted_zones.count()


class HostedZoneSerializer(serializers.ModelSerializer):
    name_servers = serializers.ListField(child=serializers.CharField(), read_only=True)
    networks = serializers.PrimaryKeyRelatedField(many=True, queryset=Network.objects.all(), required=False)
    delegation_set = serializers.PrimaryKeyRelatedField(
        queryset=DelegationSet.objects.all(), required=False, allow_null=True
    )
    caller_reference = serializers.CharField(max_length=128, required=False, allow_null=True)
    tags = serializers.DictField(child=serializers.CharField(max_length=256), required=False)

    class Meta:
        model = HostedZone
        fields = [
            "id",
            "name",
            "comment",
            "caller_reference",
            "is_private",
            "networks",
            "delegation_set",
            "name_servers",
            "serial",
            "tags",
            "record_set_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "serial", "record_set_count", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Only the requester's own networks and delegation sets can be named.
            self.fields["networks"].child_relation.queryset = Network.objects.owned_by(request.user)
            self.fields["delegation_set"].queryset = DelegationSet.objects.owned_by(request.user)


class HostedZoneUpdateSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=256, required=False, allow_blank=True)
    tags = serializers.DictField(child=serializers.CharField(max_length=256), required=False)
    networks = serializers.PrimaryKeyRelatedField(many=True, queryset=Network.objects.none(), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["networks"].child_relation.queryset = Network.objects.owned_by(request.user)


class RecordSetSerializer(serializers.ModelSerializer):
    """A record set as the API shows it and as a change names it (the rule module's field names)."""

    name = serializers.CharField(
        max_length=255, help_text="Relative (www, @) or absolute (www.example.com.)."
    )
    type = serializers.ChoiceField(choices=rules.RECORD_TYPES)
    ttl = serializers.IntegerField(required=False, allow_null=True, help_text="Absent for an alias.")
    values = serializers.ListField(child=serializers.CharField(max_length=4000), required=False)
    policy = serializers.ChoiceField(choices=RecordSet.Policy.choices, default=RecordSet.Policy.SIMPLE)
    set_identifier = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    weight = serializers.IntegerField(required=False, allow_null=True)
    region = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    failover = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    continent = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")
    country = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")
    subdivision = serializers.CharField(max_length=3, required=False, allow_blank=True, default="")
    health_check = serializers.IntegerField(source="health_check_id", required=False, allow_null=True)
    alias_target_name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    alias_endpoint = serializers.IntegerField(source="alias_endpoint_id", required=False, allow_null=True)
    evaluate_target_health = serializers.BooleanField(required=False, default=False)

    class Meta:
        model = RecordSet
        fields = [
            "id",
            "name",
            "type",
            "ttl",
            "values",
            "policy",
            "set_identifier",
            "weight",
            "region",
            "failover",
            "continent",
            "country",
            "subdivision",
            "health_check",
            "alias_target_name",
            "alias_endpoint",
            "evaluate_target_health",
            "is_protected",
        ]
        read_only_fields = ["id", "is_protected"]

    def to_spec(self, data: dict) -> rules.RecordSetSpec:
        values = dict(data)
        values["health_check_id"] = values.pop("health_check_id", None)
        values["alias_endpoint_id"] = values.pop("alias_endpoint_id", None)
        return rules.RecordSetSpec.from_dict(values)


class ChangeSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["CREATE", "DELETE", "UPSERT"])
    record_set = RecordSetSerializer()


class ChangeBatchRequestSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=256, required=False, allow_blank=True, default="")
    changes = ChangeSerializer(many=True, allow_empty=False, max_length=20000)


class ChangeBatchSerializer(serializers.ModelSerializer):
    hosted_zone = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ChangeBatch
        fields = [
            "id",
            "hosted_zone",
            "status",
            "serial",
            "source",
            "comment",
            "change_count",
            "submitted_at",
            "insync_at",
        ]
        read_only_fields = fields


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "change_batch",
            "actor",
            "source",
            "action",
            "name",
            "type",
            "set_identifier",
            "before",
            "after",
            "created_at",
        ]
        read_only_fields = fields


class RecordSetPageSerializer(serializers.Serializer):
    results = RecordSetSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text="The cursor of the next page (pass as ?after=).")
    previous = serializers.CharField(allow_null=True, help_text="The cursor of the previous page (?before=).")
