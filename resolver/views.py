"""Console pages of the Resolver: endpoints, rules, query logs and each network's resolver."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kernel.ownership import get_owned_object_or_404
from kernel.views import list_with_create_form, show_service_error
from resolver import forms, services
from resolver.errors import ResolverError
from resolver.models import QueryLogConfig, QueryLogEntry, ResolverEndpoint, ResolverRule
from zones.models import Network

QUERY_LOG_PAGE_SIZE = 100


@login_required
def endpoint_list(request: HttpRequest) -> HttpResponse:
    form = forms.ResolverEndpointForm(request.POST or None, user=request.user)
    endpoints = (
        ResolverEndpoint.objects.owned_by(request.user)
        .select_related("network")
        .prefetch_related("addresses")
    )
    return list_with_create_form(
        request,
        form,
        create=lambda: services.create_resolver_endpoint(owner=request.user, **form.cleaned_data),
        refusal=ResolverError,
        created_message=lambda endpoint: f"Endpoint {endpoint.name} created.",
        success_url="resolver-endpoint-list",
        template_name="resolver/endpoint_list.html",
        context={"endpoints": endpoints},
    )


@login_required
@require_POST
def endpoint_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = get_owned_object_or_404(ResolverEndpoint, request.user, pk=endpoint_id)
    try:
        services.delete_resolver_endpoint(endpoint)
    except ResolverError as error:
        show_service_error(request, error)
    else:
        messages.success(request, f"Endpoint {endpoint.name} deleted.")
    return redirect("resolver-endpoint-list")


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    form = forms.ResolverRuleForm(request.POST or None, user=request.user)
    rules = ResolverRule.objects.owned_by(request.user).prefetch_related("networks")
    return list_with_create_form(
        request,
        form,
        create=lambda: services.create_resolver_rule(owner=request.user, **form.cleaned_data),
        refusal=ResolverError,
        created_message=lambda rule: f"Rule {rule.name} created.",
        success_url="resolver-rule-list",
        template_name="resolver/rule_list.html",
        context={"rules": rules, "association": forms.NetworkChoiceForm(user=request.user)},
    )


@login_required
@require_POST
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_owned_object_or_404(ResolverRule, request.user, pk=rule_id)
    services.delete_resolver_rule(rule)
    messages.success(request, f"Rule {rule.name} deleted.")
    return redirect("resolver-rule-list")


@login_required
@require_POST
def rule_associate(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_owned_object_or_404(ResolverRule, request.user, pk=rule_id)
    form = forms.NetworkChoiceForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "Choose one of your networks.")
        return redirect("resolver-rule-list")
    try:
        services.associate_resolver_rule(rule, form.cleaned_data["network"])
    except ResolverError as error:
        show_service_error(request, error)
    else:
        messages.success(request, f"Rule {rule.name} now applies in {form.cleaned_data['network'].name}.")
    return redirect("resolver-rule-list")


@login_required
@require_POST
def rule_disassociate(request: HttpRequest, rule_id: int, network_id: int) -> HttpResponse:
    rule = get_owned_object_or_404(ResolverRule, request.user, pk=rule_id)
    network = get_owned_object_or_404(Network, request.user, pk=network_id)
    services.disassociate_resolver_rule(rule, network)
    messages.success(request, f"Rule {rule.name} no longer applies in {network.name}.")
    return redirect("resolver-rule-list")


@login_required
def query_log(request: HttpRequest) -> HttpResponse:
    """Query-log configurations (a form to add one) and the entries, searched by the GET filters."""
    form = forms.QueryLogConfigForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_query_log_config(owner=request.user, **form.cleaned_data)
        except ResolverError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Query logging {form.cleaned_data['name']} started.")
            return redirect("resolver-query-log")
    search = forms.QueryLogSearchForm(request.GET or None, user=request.user)
    entries = QueryLogEntry.objects.owned_by(request.user).select_related("network")
    chart_network = None
    if search.is_valid():
        filters = search.cleaned_data
        chart_network = filters["network"]
        if chart_network:
            entries = entries.filter(network=chart_network)
        entries = services.filter_query_log(
            entries,
            name=filters["name"],
            qtype=filters["type"],
            rcode=filters["rcode"],
            client=filters["client"] or "",
            since=filters["since"],
            until=filters["until"],
        )
    context = {
        "form": form,
        "search": search,
        "configs": QueryLogConfig.objects.owned_by(request.user).prefetch_related("networks"),
        "entries": entries[:QUERY_LOG_PAGE_SIZE],
        "chart_network": chart_network,
    }
    return render(request, "resolver/query_log.html", context)


@login_required
@require_POST
def query_log_config_delete(request: HttpRequest, config_id: int) -> HttpResponse:
    config = get_owned_object_or_404(QueryLogConfig, request.user, pk=config_id)
    services.delete_query_log_config(config)
    messages.success(request, f"Query logging {config.name} stopped.")
    return redirect("resolver-query-log")


@login_required
def network_detail(request: HttpRequest, network_id: int) -> HttpResponse:
    """One network's resolver: where to ask it, what it forwards, which private zones it answers."""
    network = get_owned_object_or_404(Network, request.user, pk=network_id)
    inbound = ResolverEndpoint.objects.filter(network=network, direction=ResolverEndpoint.Direction.INBOUND)
    context = {
        "network": network,
        "inbound": inbound.prefetch_related("addresses"),
        "rules": network.resolver_rules.all(),
        "private_zones": network.hosted_zones.filter(is_private=True),
        "is_query_logged": network.query_log_configs.exists(),
        "config": services.instance_config(network),
    }
    return render(request, "resolver/network_detail.html", context)


@login_required
def network_queries_chart(request: HttpRequest, network_id: int) -> JsonResponse:
    """Queries per minute of a network's resolver over the last hour, as static/console/charts.js reads it."""
    network = get_owned_object_or_404(Network, request.user, pk=network_id)
    rows = services.queries_per_minute(network, minutes=60)
    return JsonResponse(
        {
            "times": [int(datetime.timestamp(row["minute"])) for row in rows],
            "series": [{"name": "Queries", "points": [row["count"] for row in rows]}],
            "unit": "q/min",
        }
    )
