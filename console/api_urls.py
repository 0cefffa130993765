from django.urls import path
from rest_framework.routers import SimpleRouter

from console import api

router = SimpleRouter(trailing_slash=False)
router.register("tokens", api.ApiTokenViewSet, basename="api-token")

urlpatterns = [
    path("me", api.MeView.as_view(), name="api-me"),
    path("test-dns-answer", api.DnsAnswerView.as_view(), name="api-test-dns-answer"),
    *router.urls,
]
