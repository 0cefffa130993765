"""API shapes of hosted zones, record sets, change batches, networks, endpoints and delegation sets.

Rules are not written here: change batches go through `services.apply_change_batch`, which
calls the rule module; its refusal, with every problem, becomes DRF's 400 shape in
`change_batch_errors`.
"""

from collections import defaultdict

from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import serializers

from zones import rules, services
from zones.models import (
    SPEC_FIELD_NAMES,
    AuditEntry,
    ChangeBatch,
    DelegationSet,
    Endpoint,
    HostedZone,
    Network,
    RecordSet,
)
from zones.services import ACTIONS


class NetworkSerializer(serializers.ModelSerializer):
    cidrs = serializers.ListField(child=serializers.CharField(max_length=64), allow_empty=False)

    class Meta:
        model = Network
        fields = ["id", "name", "cidrs", "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate_cidrs(self, value: list[str]) -> list[str]:
        problems = rules.cidr_problems(value)
        if problems:
            raise serializers.ValidationError([problem.reason for problem in problems])
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


# A zone list's columns, as `.values()` names them: HostedZoneSerializer's fields, the networks
# aside (a many-to-many) and the name servers read through the delegation set.
HOSTED_ZONE_LIST_VALUES = (
    "id",
    "name",
    "comment",
    "caller_reference",
    "is_private",
    "delegation_set",
    "delegation_set__name_servers",
    "serial",
    "tags",
    "record_set_count",
    "created_at",
    "updated_at",
)

# Nothing activates another time zone, so the current one is the default: named once here
# rather than looked up for each value.
_datetime_field = serializers.DateTimeField(default_timezone=timezone.get_default_timezone())


def hosted_zone_list_values(rows: list[dict]) -> list[dict]:
    """HostedZoneSerializer's representation of zones read with `HOSTED_ZONE_LIST_VALUES`.

    A zone list builds no serializer field per zone and no model instance: its fields are
    stored as the API shows them, except the times (formatted by DRF's own field) and the
    networks, read in one query. The tests pin it to the serializer's answer.
    """
    networks: dict[int, list[int]] = defaultdict(list)
    # Only a private zone is bound to networks (services.create_hosted_zone refuses others).
    private_ids = [row["id"] for row in rows if row["is_private"]]
    if private_ids:
        bindings = (
            HostedZone.networks.through.objects.filter(hostedzone_id__in=private_ids)
            .order_by("network__name", "network_id")
            .values_list("hostedzone_id", "network_id")
        )
        for zone_id, network_id in bindings:
            networks[zone_id].append(network_id)
    return [
        {
            "id": row["id"],
            "name": row["name"],
            "comment": row["comment"],
            "caller_reference": row["caller_reference"],
            "is_private": row["is_private"],
            "networks": networks[row["id"]],
            "delegation_set": row["delegation_set"],
            "name_servers": list(row["delegation_set__name_servers"]),
            "serial": row["serial"],
            "tags": row["tags"],
            "record_set_count": row["record_set_count"],
            "created_at": _datetime_field.to_representation(row["created_at"]),
            "updated_at": _datetime_field.to_representation(row["updated_at"]),
        }
        for row in rows
    ]


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
    """A record set as the API shows it and as a change names it: the spec's fields.

    Declared here are the fields whose API shape differs from the model's, or whose bad values
    the rule module (run by the change batch) must refuse rather than the model's validators;
    the others are the model's own.
    """

    name = serializers.CharField(
        max_length=255, help_text="Relative (www, @) or absolute (www.example.com.)."
    )
    type = serializers.ChoiceField(choices=rules.RECORD_TYPES)
    ttl = serializers.IntegerField(required=False, allow_null=True, help_text="Absent for an alias.")
    values = serializers.ListField(child=serializers.CharField(max_length=4000), required=False)
    weight = serializers.IntegerField(required=False, allow_null=True)
    failover = serializers.CharField(max_length=10, required=False, allow_blank=True)
    health_check = serializers.IntegerField(source="health_check_id", required=False, allow_null=True)
    alias_endpoint = serializers.IntegerField(source="alias_endpoint_id", required=False, allow_null=True)

    class Meta:
        model = RecordSet
        fields = ["id", *SPEC_FIELD_NAMES.values(), "is_protected"]
        read_only_fields = ["id", "is_protected"]

    @staticmethod
    def to_spec(data: dict) -> rules.RecordSetSpec:
        """The validated data of a record set as the rule module's spec."""
        return rules.RecordSetSpec.from_dict(data)

    @classmethod
    def representations(cls, record_sets: QuerySet) -> QuerySet:
        """`record_sets` as this serializer's representations, read with `.values()`.

        Every field is stored as the API shows it (the rule module normalises what is
        written, foreign keys are ids), so the rows need no serializer field per value; the
        tests pin them to the serializer's answer.
        """
        return record_sets.values(*cls.Meta.fields)


class ChangeSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=ACTIONS)
    record_set = RecordSetSerializer()


class ChangeBatchRequestSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=256, required=False, allow_blank=True, default="")
    changes = ChangeSerializer(many=True, allow_empty=False, max_length=20000)


# Fields of a change itself; any other field a rule names is the change's record set's.
CHANGE_FIELDS = ("action",)


def change_batch_errors(error: services.ChangeBatchError) -> dict:
    """A refused batch as DRF's 400 shape with every problem: by change index and field, as DRF
    keys a malformed change (`{"changes": {"1": {"record_set": {"values": [...]}}}}`), plus every
    sentence in `non_field_errors` and the first failing change in `index`."""
    problems = [problem for problem in error.problems if problem.change is not None]
    if not problems:
        return error.as_error_dict()
    by_change: dict[str, dict] = {}
    for problem in problems:
        errors = by_change.setdefault(str(problem.change), {})
        if not problem.field:
            errors.setdefault("non_field_errors", []).append(problem.reason)
        elif problem.field in CHANGE_FIELDS:
            errors.setdefault(problem.field, []).append(problem.reason)
        else:
            field_name = SPEC_FIELD_NAMES.get(problem.field, problem.field)
            errors.setdefault("record_set", {}).setdefault(field_name, []).append(problem.reason)
    return {
        "changes": by_change,
        "non_field_errors": [f"change {problem.change}: {problem}" for problem in problems],
        "index": [str(problems[0].change)],
    }


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
    # None for the system's own changes (a new zone's SOA and NS, imports run by beat).
    actor = serializers.SlugRelatedField(slug_field="email", read_only=True, allow_null=True)

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
