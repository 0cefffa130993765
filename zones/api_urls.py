"""API endpoints of this app, mounted under /api/v1/ by nameplate/urls.py."""

from rest_framework.routers import SimpleRouter

from zones import api

router = SimpleRouter(trailing_slash=False)
router.register("zones", api.HostedZoneViewSet, basename="api-zone")
router.register("changes", api.ChangeBatchViewSet, basename="api-change")
router.register("networks", api.NetworkViewSet, basename="api-network")
router.register("endpoints", api.EndpointViewSet, basename="api-endpoint")
router.register("delegation-sets", api.DelegationSetViewSet, basename="api-delegation-set")

urlpatterns = router.urls
