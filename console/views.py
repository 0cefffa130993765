from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from console import dashboard as dashboard_service
from kernel.ownership import get_owned_object_or_404
from zones.models import HostedZone


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("console-dashboard")
    return render(request, "console/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    context = dashboard_service.summary(request.user)
    context["queries_chart"] = dashboard_service.zone_query_volume(request.user)
    return render(request, "console/dashboard.html", context)


@login_required
def dashboard_queries(request: HttpRequest) -> JsonResponse:
    return JsonResponse(dashboard_service.zone_query_volume(request.user))


@login_required
def zone_queries(request: HttpRequest, zone_id: int) -> JsonResponse:
    zone = get_owned_object_or_404(HostedZone, request.user, pk=zone_id)
    return JsonResponse(dashboard_service.zone_rcode_volume(zone))
