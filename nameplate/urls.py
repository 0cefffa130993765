from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from console import views as console_views
from route53 import views as route53_views

api_urls = [
    path("", include("accounts.api_urls")),
    path("", include("console.api_urls")),
    path("", include("registrar.api_urls")),
    path("", include("zones.api_urls")),
    path("", include("healthchecks.api_urls")),
]

urlpatterns = [
    path("", include("route53.urls")),
    path("", route53_views.aws_json_or(console_views.home)),
    path("", include("console.urls")),
    path("account/", include("accounts.urls")),
    path("api/v1/", include(api_urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("", include("registrar.urls")),
    path("", include("zones.urls")),
    path("", include("healthchecks.urls")),
]
