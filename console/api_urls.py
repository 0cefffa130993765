from django.urls import path

from console import api

urlpatterns = [
    path("test-dns-answer", api.DnsAnswerView.as_view(), name="api-test-dns-answer"),
]
