"""API endpoints of this app, mounted under /api/v1/ by nameplate/urls.py."""

from rest_framework.routers import SimpleRouter

from resolver import api

router = SimpleRouter(trailing_slash=False)
router.register("resolver/endpoints", api.ResolverEndpointViewSet, basename="api-resolver-endpoint")
router.register("resolver/rules", api.ResolverRuleViewSet, basename="api-resolver-rule")
router.register(
    "resolver/query-log-configs", api.QueryLogConfigViewSet, basename="api-resolver-query-log-config"
)
router.register("resolver/query-log", api.QueryLogEntryViewSet, basename="api-resolver-query-log")

urlpatterns = router.urls
