"""Console pages of this app, mounted at the site root by nameplate/urls.py."""

from django.urls import path

from zones import fragments, views

urlpatterns = [
    path("zones/", views.zone_list, name="zones-zone-list"),
    path("zones/new/", views.zone_create, name="zones-zone-create"),
    path("zones/networks/", views.network_list, name="zones-network-list"),
    path("zones/networks/<int:network_id>/delete/", views.network_delete, name="zones-network-delete"),
    path("zones/endpoints/", views.endpoint_list, name="zones-endpoint-list"),
    path("zones/endpoints/<int:endpoint_id>/delete/", views.endpoint_delete, name="zones-endpoint-delete"),
    path("zones/delegation-sets/", views.delegation_set_list, name="zones-delegation-set-list"),
    path(
        "zones/delegation-sets/<int:set_id>/delete/",
        views.delegation_set_delete,
        name="zones-delegation-set-delete",
    ),
    path("zones/<int:zone_id>/", views.zone_detail, name="zones-zone-detail"),
    path("zones/<int:zone_id>/settings/", views.zone_settings, name="zones-zone-settings"),
    path("zones/<int:zone_id>/delete/", views.zone_delete, name="zones-zone-delete"),
    path("zones/<int:zone_id>/records/new/", views.record_create, name="zones-record-create"),
    path("zones/<int:zone_id>/records/<int:record_id>/edit/", views.record_edit, name="zones-record-edit"),
    path("zones/<int:zone_id>/records/delete/", views.record_bulk_delete, name="zones-record-bulk-delete"),
    path("zones/<int:zone_id>/changes/<int:batch_id>/", views.change_detail, name="zones-change-detail"),
    path(
        "zones/<int:zone_id>/changes/<int:batch_id>/status/", views.change_status, name="zones-change-status"
    ),
    path(
        "zones/<int:zone_id>/changes/<int:batch_id>/banner/",
        fragments.change_banner,
        name="zones-change-banner",
    ),
    path(
        "zones/<int:zone_id>/changes/<int:batch_id>/revert/", views.change_revert, name="zones-change-revert"
    ),
    path("zones/<int:zone_id>/history/", views.zone_history, name="zones-zone-history"),
    path("zones/<int:zone_id>/export/", views.zone_export, name="zones-zone-export"),
    path("zones/<int:zone_id>/import/", views.zone_import, name="zones-zone-import"),
    path("zones/<int:zone_id>/import/<int:job_id>/", views.import_detail, name="zones-import-detail"),
]
