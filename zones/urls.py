"""Console pages of this app, mounted at the site root by nameplate/urls.py."""

from django.urls import path

from zones import fragments
from zones.views import history, hosted_zones, imports, networks, records

urlpatterns = [
    path("zones/", hosted_zones.zone_list, name="zones-zone-list"),
    path("zones/new/", hosted_zones.zone_create, name="zones-zone-create"),
    path("zones/networks/", networks.network_list, name="zones-network-list"),
    path("zones/networks/<int:network_id>/delete/", networks.network_delete, name="zones-network-delete"),
    path("zones/endpoints/", networks.endpoint_list, name="zones-endpoint-list"),
    path("zones/endpoints/<int:endpoint_id>/delete/", networks.endpoint_delete, name="zones-endpoint-delete"),
    path("zones/delegation-sets/", networks.delegation_set_list, name="zones-delegation-set-list"),
    path(
        "zones/delegation-sets/<int:set_id>/delete/",
        networks.delegation_set_delete,
        name="zones-delegation-set-delete",
    ),
    path("zones/<int:zone_id>/", hosted_zones.zone_detail, name="zones-zone-detail"),
    path("zones/<int:zone_id>/settings/", hosted_zones.zone_settings, name="zones-zone-settings"),
    path("zones/<int:zone_id>/delete/", hosted_zones.zone_delete, name="zones-zone-delete"),
    path("zones/<int:zone_id>/records/new/", records.record_create, name="zones-record-create"),
    path("zones/<int:zone_id>/records/<int:record_id>/edit/", records.record_edit, name="zones-record-edit"),
    path("zones/<int:zone_id>/records/delete/", records.record_bulk_delete, name="zones-record-bulk-delete"),
    path("zones/<int:zone_id>/changes/<int:batch_id>/", history.change_detail, name="zones-change-detail"),
    path(
        "zones/<int:zone_id>/changes/<int:batch_id>/status/",
        history.change_status,
        name="zones-change-status",
    ),
    path(
        "zones/<int:zone_id>/changes/<int:batch_id>/banner/",
        fragments.change_banner,
        name="zones-change-banner",
    ),
    path(
        "zones/<int:zone_id>/changes/<int:batch_id>/revert/",
        history.change_revert,
        name="zones-change-revert",
    ),
    path("zones/<int:zone_id>/history/", history.zone_history, name="zones-zone-history"),
    path("zones/<int:zone_id>/export/", imports.zone_export, name="zones-zone-export"),
    path("zones/<int:zone_id>/import/", imports.zone_import, name="zones-zone-import"),
    path("zones/<int:zone_id>/import/<int:job_id>/", imports.import_detail, name="zones-import-detail"),
]
