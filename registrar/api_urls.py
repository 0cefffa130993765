"""API endpoints of this app, mounted under /api/v1/ by nameplate/urls.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from registrar import api

router = SimpleRouter(trailing_slash=False)
router.register("domains", api.DomainViewSet, basename="api-domain")
router.register("cart", api.CartViewSet, basename="api-cart")
router.register("orders", api.OrderViewSet, basename="api-order")
router.register("ledger", api.LedgerViewSet, basename="api-ledger")

urlpatterns = [
    path("checkout", api.CheckoutView.as_view(), name="api-checkout"),
    *router.urls,
]
