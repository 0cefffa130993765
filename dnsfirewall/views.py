"""Console pages of the DNS Firewall: domain lists (typed or imported), rule groups with their
ordered rules, and the networks each group is associated with."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dnsfirewall import forms, services
from dnsfirewall.errors import FirewallError
from dnsfirewall.models import (
    FirewallDomainList,
    FirewallRule,
    FirewallRuleGroup,
    FirewallRuleGroupAssociation,
)
from kernel.ownership import get_owned_object_or_404
from kernel.views import list_with_create_form, show_service_error


@login_required
def domain_list_list(request: HttpRequest) -> HttpResponse:
    form = forms.DomainListForm(request.POST or None, request.FILES or None)
    lists = FirewallDomainList.objects.owned_by(request.user).annotate(rule_count=Count("rules"))
    return list_with_create_form(
        request,
        form,
        create=lambda: services.create_domain_list(
            owner=request.user, name=form.cleaned_data["name"], domains=form.domain_lines()
        ),
        refusal=FirewallError,
        created_message=lambda domain_list: (
            f"Domain list {domain_list.name} saved with {len(domain_list.domains)} domains."
        ),
        success_url="dnsfirewall-domain-list-list",
        template_name="dnsfirewall/domain_list_list.html",
        context={"domain_lists": lists},
    )


@login_required
def domain_list_detail(request: HttpRequest, list_id: int) -> HttpResponse:
    domain_list = get_owned_object_or_404(FirewallDomainList, request.user, pk=list_id)
    initial = {"name": domain_list.name, "domains": "\n".join(domain_list.domains)}
    form = forms.DomainListForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_domain_list(
                domain_list,
                name=form.cleaned_data["name"],
                domains=form.domain_lines(),
                operation=form.cleaned_data["operation"] or "REPLACE",
            )
        except FirewallError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Domain list {form.cleaned_data['name']} saved.")
            return redirect("dnsfirewall-domain-list-detail", list_id=domain_list.pk)
    return render(request, "dnsfirewall/domain_list_detail.html", {"form": form, "domain_list": domain_list})


@login_required
@require_POST
def domain_list_delete(request: HttpRequest, list_id: int) -> HttpResponse:
    domain_list = get_owned_object_or_404(FirewallDomainList, request.user, pk=list_id)
    try:
        services.delete_domain_list(domain_list)
    except FirewallError as error:
        show_service_error(request, error)
    else:
        messages.success(request, f"Domain list {domain_list.name} deleted.")
    return redirect("dnsfirewall-domain-list-list")


@login_required
def rule_group_list(request: HttpRequest) -> HttpResponse:
    form = forms.RuleGroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.create_rule_group(owner=request.user, name=form.cleaned_data["name"])
        except FirewallError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Rule group {group.name} created.")
            return redirect("dnsfirewall-rule-group-detail", group_id=group.pk)
    groups = FirewallRuleGroup.objects.owned_by(request.user).annotate(
        rule_count=Count("rules", distinct=True), network_count=Count("associations", distinct=True)
    )
    return render(request, "dnsfirewall/rule_group_list.html", {"form": form, "groups": groups})


@login_required
def rule_group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_owned_object_or_404(FirewallRuleGroup, request.user, pk=group_id)
    rule_form = forms.RuleForm(request.POST or None, user=request.user, prefix="rule")
    if request.method == "POST" and rule_form.is_valid():
        try:
            services.save_rule(group=group, **rule_form.cleaned_data)
        except FirewallError as error:
            show_service_error(rule_form, error)
        else:
            messages.success(request, f"Rule {rule_form.cleaned_data['name']} added.")
            return redirect("dnsfirewall-rule-group-detail", group_id=group.pk)
    context = {
        "group": group,
        "rules": group.rules.select_related("domain_list").order_by("priority"),
        "associations": group.associations.select_related("network").order_by("network__name"),
        "rule_form": rule_form,
        "association_form": forms.AssociationForm(user=request.user, prefix="association"),
    }
    return render(request, "dnsfirewall/rule_group_detail.html", context)


@login_required
@require_POST
def rule_group_delete(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_owned_object_or_404(FirewallRuleGroup, request.user, pk=group_id)
    try:
        services.delete_rule_group(group)
    except FirewallError as error:
        show_service_error(request, error)
        return redirect("dnsfirewall-rule-group-detail", group_id=group.pk)
    messages.success(request, f"Rule group {group.name} deleted.")
    return redirect("dnsfirewall-rule-group-list")


@login_required
@require_POST
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_owned_object_or_404(FirewallRule, request.user, pk=rule_id)
    services.delete_rule(rule)
    messages.success(request, f"Rule {rule.name} deleted.")
    return redirect("dnsfirewall-rule-group-detail", group_id=rule.group_id)


@login_required
@require_POST
def association_create(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_owned_object_or_404(FirewallRuleGroup, request.user, pk=group_id)
    form = forms.AssociationForm(request.POST, user=request.user, prefix="association")
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        messages.error(request, f"{field}: {errors[0]}")
    else:
        try:
            services.associate_rule_group(group=group, **form.cleaned_data)
        except FirewallError as error:
            show_service_error(request, error)
        else:
            messages.success(request, f"{group.name} now applies to {form.cleaned_data['network'].name}.")
    return redirect("dnsfirewall-rule-group-detail", group_id=group.pk)


@login_required
@require_POST
def association_delete(request: HttpRequest, association_id: int) -> HttpResponse:
    association = get_owned_object_or_404(FirewallRuleGroupAssociation, request.user, pk=association_id)
    services.disassociate_rule_group(association)
    messages.success(request, f"{association.group.name} no longer applies to {association.network.name}.")
    return redirect("dnsfirewall-rule-group-detail", group_id=association.group_id)
