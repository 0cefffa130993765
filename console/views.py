from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from console import dashboard as dashboard_service


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("console-dashboard")
    return render(request, "console/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "console/dashboard.html", dashboard_service.summary(request.user))


@login_required
def dashboard_queries(request: HttpRequest) -> JsonResponse:
    return JsonResponse(dashboard_service.zone_query_volume(request.user))
