from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, include, path, re_path, resolve
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from console import views as console_views
from route53 import views as route53_views

api_urls = [
    path("", include("accounts.api_urls")),
    path("", include("console.api_urls")),
    path("", include("registrar.api_urls")),
    path("", include("zones.api_urls")),
    path("", include("healthchecks.api_urls")),
    path("", include("resolver.api_urls")),
    path("", include("dnsfirewall.api_urls")),
]


@csrf_exempt  # the API view itself decides: DRF checks CSRF for session log-ins, tokens need none
def api_without_trailing_slash(request: HttpRequest, path: str) -> HttpResponse:
    """/api/v1/zones/ answers as /api/v1/zones does, for every method (no redirect to lose a body)."""
    try:
        match = resolve(f"/api/v1/{path}")
    except Resolver404:
        raise Http404(f"No API path /api/v1/{path}") from None
    return match.func(request, *match.args, **match.kwargs)


urlpatterns = [
    path("", include("route53.urls")),
    path("", route53_views.aws_json_or(console_views.home)),
    path("", include("console.urls")),
    path("account/", include("accounts.urls")),
    path("api/v1/", include(api_urls)),
    re_path(r"^api/v1/(?P<path>.*[^/])/+$", api_without_trailing_slash),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("", include("registrar.urls")),
    path("", include("zones.urls")),
    path("", include("healthchecks.urls")),
    path("", include("resolver.urls")),
    path("", include("dnsfirewall.urls")),
]
