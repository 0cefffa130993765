from rest_framework import serializers


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
