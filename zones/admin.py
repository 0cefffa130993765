from django.contrib import admin

from zones.models import (
    AuditEntry,
    ChangeBatch,
    DelegationSet,
    Endpoint,
    HostedZone,
    ImportJob,
    Network,
    RecordSet,
)


@admin.register(HostedZone)
class HostedZoneAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "is_private", "serial", "record_set_count", "created_at"]
    search_fields = ["name", "owner__email"]
    list_filter = ["is_private"]
    raw_id_fields = ["owner", "delegation_set"]


@admin.register(RecordSet)
class RecordSetAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "policy", "set_identifier", "ttl", "hosted_zone"]
    search_fields = ["name"]
    list_filter = ["type", "policy"]
    raw_id_fields = ["hosted_zone", "health_check", "alias_endpoint"]


@admin.register(ChangeBatch)
class ChangeBatchAdmin(admin.ModelAdmin):
    list_display = ["id", "hosted_zone", "status", "serial", "source", "change_count", "submitted_at"]
    list_filter = ["status", "source"]
    raw_id_fields = ["hosted_zone", "actor"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["id", "hosted_zone", "action", "name", "type", "source", "created_at"]
    raw_id_fields = ["hosted_zone", "change_batch", "actor"]


admin.site.register([DelegationSet, Network, Endpoint, ImportJob])
