"""Console pages of the Resolver."""

from django.urls import path

from resolver import views

urlpatterns = [
    path("resolver/endpoints/", views.endpoint_list, name="resolver-endpoint-list"),
    path(
        "resolver/endpoints/<int:endpoint_id>/delete/", views.endpoint_delete, name="resolver-endpoint-delete"
    ),
    path("resolver/rules/", views.rule_list, name="resolver-rule-list"),
    path("resolver/rules/<int:rule_id>/delete/", views.rule_delete, name="resolver-rule-delete"),
    path("resolver/rules/<int:rule_id>/associate/", views.rule_associate, name="resolver-rule-associate"),
    path(
        "resolver/rules/<int:rule_id>/networks/<int:network_id>/disassociate/",
        views.rule_disassociate,
        name="resolver-rule-disassociate",
    ),
    path("resolver/query-logs/", views.query_log, name="resolver-query-log"),
    path(
        "resolver/query-logs/<int:config_id>/delete/",
        views.query_log_config_delete,
        name="resolver-query-log-config-delete",
    ),
    path("resolver/networks/<int:network_id>/", views.network_detail, name="resolver-network-detail"),
    path(
        "resolver/networks/<int:network_id>/queries.json",
        views.network_queries_chart,
        name="resolver-network-queries-chart",
    ),
]
