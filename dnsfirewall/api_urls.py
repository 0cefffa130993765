"""API endpoints of the DNS Firewall, mounted under /api/v1/ by nameplate/urls.py."""

from rest_framework.routers import SimpleRouter

from dnsfirewall import api

router = SimpleRouter(trailing_slash=False)
router.register("firewall/domain-lists", api.DomainListViewSet, basename="api-firewall-domain-list")
router.register("firewall/rule-groups", api.RuleGroupViewSet, basename="api-firewall-rule-group")
router.register("firewall/rules", api.RuleViewSet, basename="api-firewall-rule")
router.register("firewall/associations", api.AssociationViewSet, basename="api-firewall-association")

urlpatterns = router.urls
