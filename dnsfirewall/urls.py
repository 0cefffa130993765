"""Console pages of the DNS Firewall, mounted at the site root by nameplate/urls.py."""

from django.urls import path

from dnsfirewall import views

urlpatterns = [
    path("firewall/", views.rule_group_list, name="dnsfirewall-rule-group-list"),
    path(
        "firewall/rule-groups/<int:group_id>/", views.rule_group_detail, name="dnsfirewall-rule-group-detail"
    ),
    path(
        "firewall/rule-groups/<int:group_id>/delete/",
        views.rule_group_delete,
        name="dnsfirewall-rule-group-delete",
    ),
    path(
        "firewall/rule-groups/<int:group_id>/associations/",
        views.association_create,
        name="dnsfirewall-association-create",
    ),
    path(
        "firewall/associations/<int:association_id>/delete/",
        views.association_delete,
        name="dnsfirewall-association-delete",
    ),
    path("firewall/rules/<int:rule_id>/delete/", views.rule_delete, name="dnsfirewall-rule-delete"),
    path("firewall/domain-lists/", views.domain_list_list, name="dnsfirewall-domain-list-list"),
    path(
        "firewall/domain-lists/<int:list_id>/",
        views.domain_list_detail,
        name="dnsfirewall-domain-list-detail",
    ),
    path(
        "firewall/domain-lists/<int:list_id>/delete/",
        views.domain_list_delete,
        name="dnsfirewall-domain-list-delete",
    ),
]
