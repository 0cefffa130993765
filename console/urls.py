"""Console pages: the home page, the dashboard and the tools."""

from django.urls import path

from console import tool_views, views

urlpatterns = [
    path("", views.home, name="console-home"),
    path("dashboard/", views.dashboard, name="console-dashboard"),
    path("dashboard/queries.json", views.dashboard_queries, name="console-dashboard-queries"),
    path("dashboard/zones/<int:zone_id>/queries.json", views.zone_queries, name="console-zone-queries"),
    path("tools/", tool_views.tool_index, name="console-tool-index"),
    path("tools/trace/", tool_views.trace, name="console-tool-trace"),
    path("tools/test-answer/", tool_views.test_answer, name="console-tool-test-answer"),
]
