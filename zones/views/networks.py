"""Console pages of the objects zones use: networks, endpoints and reusable delegation sets."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kernel.ownership import get_owned_object_or_404
from kernel.views import list_with_create_form, show_service_error
from zones import forms, services
from zones.models import DelegationSet, Endpoint, Network


@login_required
def network_list(request: HttpRequest) -> HttpResponse:
    form = forms.NetworkForm(request.POST or None)
    networks = Network.objects.owned_by(request.user).annotate(zone_count=Count("hosted_zones"))
    return list_with_create_form(
        request,
        form,
        create=lambda: services.save_network(owner=request.user, **form.cleaned_data),
        refusal=services.ZoneError,
        created_message=lambda network: f"Network {network.name} saved.",
        success_url="zones-network-list",
        template_name="zones/network_list.html",
        context={"networks": networks},
    )


@login_required
@require_POST
def network_delete(request: HttpRequest, network_id: int) -> HttpResponse:
    network = get_owned_object_or_404(Network, request.user, pk=network_id)
    try:
        services.delete_network(network)
    except services.ZoneError as error:
        show_service_error(request, error)
    else:
        messages.success(request, f"Network {network.name} deleted.")
    return redirect("zones-network-list")


@login_required
def endpoint_list(request: HttpRequest) -> HttpResponse:
    form = forms.EndpointForm(request.POST or None, user=request.user)
    endpoints = Endpoint.objects.owned_by(request.user).select_related("health_check")
    return list_with_create_form(
        request,
        form,
        create=lambda: services.save_endpoint(owner=request.user, **form.cleaned_data),
        refusal=services.ZoneError,
        created_message=lambda endpoint: f"Endpoint {endpoint.name} saved.",
        success_url="zones-endpoint-list",
        template_name="zones/endpoint_list.html",
        context={"endpoints": endpoints},
    )


@login_required
@require_POST
def endpoint_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = get_owned_object_or_404(Endpoint, request.user, pk=endpoint_id)
    try:
        services.delete_endpoint(endpoint)
    except services.ZoneError as error:
        show_service_error(request, error)
    else:
        messages.success(request, f"Endpoint {endpoint.name} deleted.")
    return redirect("zones-endpoint-list")


@login_required
def delegation_set_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        delegation_set = services.create_delegation_set(owner=request.user)
        messages.success(request, f"Reusable delegation set {delegation_set.pk} created.")
        return redirect(reverse("zones-delegation-set-list"))
    sets = (
        DelegationSet.objects.owned_by(request.user)
        .filter(is_reusable=True)
        .annotate(zone_count=Count("hosted_zones"))
    )
    return render(request, "zones/delegation_set_list.html", {"sets": sets})


@login_required
@require_POST
def delegation_set_delete(request: HttpRequest, set_id: int) -> HttpResponse:
    delegation_set = get_owned_object_or_404(DelegationSet, request.user, pk=set_id, is_reusable=True)
    try:
        services.delete_delegation_set(delegation_set)
    except services.ZoneError as error:
        show_service_error(request, error)
    else:
        messages.success(request, "Delegation set deleted.")
    return redirect("zones-delegation-set-list")
