"""Console pages of this app, mounted at the site root by nameplate/urls.py."""

from django.urls import path

from registrar import views
from registrar.registry import views as registry_views

urlpatterns = [
    path("rdap/domain/<str:name>", registry_views.rdap_domain, name="registrar-rdap-domain"),
    path("domains/", views.domain_list, name="registrar-domain-list"),
    path("domains/search/", views.search, name="registrar-search"),
    path("domains/whois/", views.whois, name="registrar-whois"),
    path("domains/registry-clock/", views.registry_clock, name="registrar-registry-clock"),
    path("domains/cart/", views.cart, name="registrar-cart"),
    path("domains/cart/add/", views.cart_add, name="registrar-cart-add"),
    path("domains/cart/<int:item_id>/update/", views.cart_update, name="registrar-cart-update"),
    path("domains/cart/<int:item_id>/remove/", views.cart_remove, name="registrar-cart-remove"),
    path("domains/checkout/", views.checkout, name="registrar-checkout"),
    path("domains/transfer-in/", views.transfer_in, name="registrar-transfer-in"),
    path("domains/<int:domain_id>/", views.domain_detail, name="registrar-domain-detail"),
    path("domains/<int:domain_id>/renew/", views.domain_renew, name="registrar-domain-renew"),
    path("domains/<int:domain_id>/restore/", views.domain_restore, name="registrar-domain-restore"),
    path("domains/<int:domain_id>/settings/", views.domain_settings, name="registrar-domain-settings"),
    path(
        "domains/<int:domain_id>/name-servers/",
        views.domain_name_servers,
        name="registrar-domain-name-servers",
    ),
    path(
        "domains/<int:domain_id>/name-servers/hosted-zone/",
        views.domain_use_hosted_zone,
        name="registrar-domain-use-hosted-zone",
    ),
    path("domains/<int:domain_id>/auth-code/", views.domain_auth_code, name="registrar-domain-auth-code"),
    path("domains/<int:domain_id>/ds/add/", views.domain_ds_add, name="registrar-domain-ds-add"),
    path("domains/<int:domain_id>/ds/remove/", views.domain_ds_remove, name="registrar-domain-ds-remove"),
    path("domains/<int:domain_id>/glue/add/", views.domain_glue_add, name="registrar-domain-glue-add"),
    path(
        "domains/<int:domain_id>/glue/<str:host>/update/",
        views.domain_glue_update,
        name="registrar-domain-glue-update",
    ),
    path(
        "domains/<int:domain_id>/glue/<str:host>/delete/",
        views.domain_glue_delete,
        name="registrar-domain-glue-delete",
    ),
    path("domains/<int:domain_id>/contacts/", views.domain_contact, name="registrar-domain-contact"),
    path(
        "domains/<int:domain_id>/transfer-out/",
        views.domain_transfer_out,
        name="registrar-domain-transfer-out",
    ),
    path(
        "domains/<int:domain_id>/transfer-out/approve/",
        views.domain_transfer_out_approve,
        name="registrar-domain-transfer-out-approve",
    ),
    path(
        "domains/<int:domain_id>/transfer-out/reject/",
        views.domain_transfer_out_reject,
        name="registrar-domain-transfer-out-reject",
    ),
    path(
        "domains/<int:domain_id>/transfer-in/cancel/",
        views.domain_transfer_in_cancel,
        name="registrar-domain-transfer-in-cancel",
    ),
    path("billing/", views.billing, name="registrar-billing"),
]
