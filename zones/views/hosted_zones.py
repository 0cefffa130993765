"""Console pages of hosted zones: the zone list, a new zone, the record editor's page, settings
and delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kernel.views import show_service_error
from zones import forms, rules, services
from zones.models import ChangeBatch, HostedZone
from zones.services.listing import filter_record_sets, keyset_page
from zones.views.common import owned_zone
from zones.vocabulary import RoutingPolicy, choices

PAGE_SIZE = 100


ZONES_INTRO = (
    "A hosted zone holds the DNS records of one domain: our name servers answer for it. A public "
    "zone is delegated to four name servers (give them to your registrar); a private zone answers "
    "only inside the networks you bind it to."
)


EDITOR_INTRO = (
    "Each record set is a name and type with its values, or an alias to another record set or an "
    "endpoint. Several record sets of one name and type share traffic by a routing policy: weighted, "
    "latency, failover, geolocation or multivalue. Every save is a change batch: PENDING until every "
    "name server serves the zone's new serial, then INSYNC."
)


@login_required
def zone_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip().lower()
    zones = HostedZone.objects.owned_by(request.user).select_related("delegation_set")
    if search:
        zones = zones.filter(Q(name__contains=search) | Q(comment__icontains=search))
    context = {"zones": zones, "search": search, "intro": ZONES_INTRO}
    return render(request, "zones/zone_list.html", context)


@login_required
def zone_create(request: HttpRequest) -> HttpResponse:
    form = forms.HostedZoneForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            zone = services.create_hosted_zone(owner=request.user, **form.cleaned_data)
        except services.ZoneError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request, f"Hosted zone {zone.display_name} created with its SOA and NS record sets."
            )
            return redirect("zones-zone-detail", zone.pk)
    return render(request, "zones/zone_create.html", {"form": form})


@login_required
def zone_detail(request: HttpRequest, zone_id: int) -> HttpResponse:
    zone = owned_zone(request, zone_id)
    params = request.GET
    queryset = filter_record_sets(
        zone.record_sets.select_related("health_check", "alias_endpoint"),
        name=params.get("name", ""),
        rtype=params.get("type", ""),
        policy=params.get("policy", ""),
    )
    page = keyset_page(
        queryset,
        after=params.get("after"),
        before=params.get("before"),
        last="last" in params,
        size=PAGE_SIZE,
    )
    filters = {key: params[key] for key in ("name", "type", "policy") if params.get(key)}
    pending = services.refresh_pending_changes(zone)
    context = {
        "zone": zone,
        "page": page,
        "filters": filters,
        "filter_query": "&".join(f"{key}={value}" for key, value in filters.items()),
        "form": forms.RecordSetForm(zone=zone, user=request.user),
        "pending": pending if pending is not None and pending.status == ChangeBatch.Status.PENDING else None,
        "types": rules.RECORD_TYPES,
        "policies": choices(RoutingPolicy),
        "settings_form": forms.ZoneSettingsForm(
            initial={"comment": zone.comment, "tags": "\n".join(f"{k}={v}" for k, v in zone.tags.items())}
        ),
        "intro": EDITOR_INTRO,
    }
    return render(request, "zones/zone_detail.html", context)


@login_required
@require_POST
def zone_settings(request: HttpRequest, zone_id: int) -> HttpResponse:
    zone = owned_zone(request, zone_id)
    form = forms.ZoneSettingsForm(request.POST)
    if form.is_valid():
        services.update_hosted_zone(
            zone, comment=form.cleaned_data["comment"], tags=form.cleaned_data["tags"]
        )
        messages.success(request, "Zone settings saved.")
    else:
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
    return redirect("zones-zone-detail", zone.pk)


@login_required
@require_POST
def zone_delete(request: HttpRequest, zone_id: int) -> HttpResponse:
    zone = owned_zone(request, zone_id)
    try:
        services.delete_hosted_zone(zone)
    except services.ZoneError as error:
        show_service_error(request, error)
        return redirect("zones-zone-detail", zone.pk)
    messages.success(request, f"Hosted zone {zone.display_name} deleted.")
    return redirect("zones-zone-list")
