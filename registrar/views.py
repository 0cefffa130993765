"""Console pages: search, cart, checkout, my domains, domain detail, WHOIS and billing.

Views are glue: fetch the user's object (404 for anyone else's), validate the form, call one
service, then redirect or render. A refusal lands beside the field it concerns.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kernel.errors import ServiceError
from kernel.ownership import get_owned_object_or_404
from kernel.views import show_service_error
from registrar import forms, services, tasks
from registrar.models import CartItem, Domain, LedgerEntry
from registrar.registry import commands, rdap


@login_required
def domain_list(request: HttpRequest) -> HttpResponse:
    domains = (
        Domain.objects.owned_by(request.user)
        .exclude(state=Domain.DELETED)
        .select_related("hosted_zone__delegation_set")
    )
    context = {
        "domains": domains,
        "search_form": forms.SearchForm(),
        "prices": services.price_list(),
        "cart_count": CartItem.objects.owned_by(request.user).count(),
    }
    return render(request, "registrar/domain_list.html", context)


@login_required
def search(request: HttpRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET or None)
    result = services.search_domains(query=form.cleaned_data["q"]) if form.is_valid() else None
    if result and result.problem:
        form.add_error("q", result.problem)
    yours = None
    if result and result.exact:
        # A name taken by this very account reads "yours", with the way to it, not "taken".
        held = Domain.objects.owned_by(request.user).filter(state__in=Domain.MANAGED_STATES)
        yours = held.filter(name=result.exact.name).first()
    return render(request, "registrar/domain_search.html", {"form": form, "result": result, "yours": yours})


@login_required
@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    form = forms.AddToCartForm(request.POST)
    if form.is_valid():
        try:
            item = services.add_to_cart(owner=request.user, **form.cleaned_data)
        except ServiceError as error:
            show_service_error(request, error)
            return redirect(f"/domains/search/?q={form.cleaned_data['name']}")
        messages.success(request, f"{item.unicode_name} is in your cart.")
    return redirect("registrar-cart")


@login_required
def cart(request: HttpRequest) -> HttpResponse:
    items = CartItem.objects.owned_by(request.user)
    context = {
        "items": items,
        "total": services.format_cents(services.cart_total_cents(request.user)),
        "balance": services.format_cents(services.balance_cents(request.user)),
    }
    return render(request, "registrar/cart.html", context)


@login_required
@require_POST
def cart_update(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_owned_object_or_404(CartItem, request.user, pk=item_id)
    form = forms.CartItemForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError("years: choose 1 to 10 years", "years")
        services.update_cart_item(item=item, years=form.cleaned_data["years"])
    except ServiceError as error:
        show_service_error(request, error)
    return redirect("registrar-cart")


@login_required
@require_POST
def cart_remove(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_owned_object_or_404(CartItem, request.user, pk=item_id)
    services.remove_from_cart(item=item)
    messages.success(request, f"{item.unicode_name} is out of your cart.")
    return redirect("registrar-cart")


@login_required
def checkout(request: HttpRequest) -> HttpResponse:
    initial = {"email": request.user.email}
    form = forms.CheckoutForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.checkout(
                owner=request.user,
                idempotency_key=form.cleaned_data["idempotency_key"],
                contact=form.contact(),
            )
        except ServiceError as error:
            show_service_error(form, error, renames={"name": None})
        else:
            messages.success(request, f"Order {order.pk} is complete: your domains are registered.")
            return redirect("registrar-domain-list")
    context = {
        "form": form,
        "items": CartItem.objects.owned_by(request.user),
        "total": services.format_cents(services.cart_total_cents(request.user)),
        "balance": services.format_cents(services.balance_cents(request.user)),
    }
    return render(request, "registrar/checkout.html", context)


def _detail_context(request: HttpRequest, domain: Domain, **extra) -> dict:
    info = services.domain_info(domain) if domain.is_managed else None
    rdap_status, rdap_body = rdap.domain_response(domain.name)
    context = {
        "domain": domain,
        "info": info,
        "rdap": rdap_body if rdap_status == 200 else None,
        "contacts": domain.contacts_in_order(),
        "zones": [
            {"zone": zone, "label": services.describe_zone(zone)}
            for zone in services.hosted_zones_named(domain)
        ],
        "renew_form": forms.RenewForm(),
        "restore_form": forms.RestoreForm(),
        "settings_form": forms.SettingsForm(
            initial={
                "auto_renew": domain.auto_renew,
                "transfer_lock": domain.transfer_lock,
                "privacy": domain.privacy,
            }
        ),
        "ns_form": forms.NameServersForm(
            initial={"name_servers": "\n".join([] if domain.uses_hosted_zone else domain.name_servers)}
        ),
        "ds_form": forms.DsForm(),
        "glue_form": forms.GlueHostForm(),
        "glue_edit": None,
        "contact_form": forms.ContactChangeForm(),
        "transfer_form": forms.TransferOutForm(),
    }
    context.update(extra)
    return context


def _detail(request: HttpRequest, domain: Domain, status: int = 200, **extra) -> HttpResponse:
    return render(
        request, "registrar/domain_detail.html", _detail_context(request, domain, **extra), status=status
    )


@login_required
def domain_detail(request: HttpRequest, domain_id: int) -> HttpResponse:
    domain = get_owned_object_or_404(Domain, request.user, pk=domain_id)
    return _detail(request, domain)


def _domain_action(request: HttpRequest, domain_id: int, form_class, form_key: str, action) -> HttpResponse:
    """Validate `form_class`, run `action(domain, cleaned_data)`, redirect; re-render with errors."""
    domain = get_owned_object_or_404(Domain, request.user, pk=domain_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            message = action(domain, form)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, message)
            return redirect("registrar-domain-detail", domain_id=domain.pk)
    return _detail(request, domain, status=400, **{form_key: form})


@login_required
@require_POST
def domain_renew(request: HttpRequest, domain_id: int) -> HttpResponse:
    def action(domain: Domain, form: forms.RenewForm) -> str:
        services.renew_domain(domain=domain, **form.cleaned_data)
        domain.refresh_from_db()
        return f"{domain.unicode_name} is renewed until {domain.expires_at:%d %B %Y}."

    return _domain_action(request, domain_id, forms.RenewForm, "renew_form", action)


@login_required
@require_POST
def domain_restore(request: HttpRequest, domain_id: int) -> HttpResponse:
    def action(domain: Domain, form: forms.RestoreForm) -> str:
        services.restore_domain(domain=domain, **form.cleaned_data)
        return f"{domain.unicode_name} is restored and resolves again."

    return _domain_action(request, domain_id, forms.RestoreForm, "restore_form", action)


@login_required
@require_POST
def domain_settings(request: HttpRequest, domain_id: int) -> HttpResponse:
    def action(domain: Domain, form: forms.SettingsForm) -> str:
        services.update_settings(domain=domain, **form.cleaned_data)
        return "Settings saved."

    return _domain_action(request, domain_id, forms.SettingsForm, "settings_form", action)


@login_required
@require_POST
def domain_name_servers(request: HttpRequest, domain_id: int) -> HttpResponse:
    def action(domain: Domain, form: forms.NameServersForm) -> str:
        services.set_name_servers(domain=domain, name_servers=form.hosts())
        return "The registry now delegates the domain to your name servers."

    return _domain_action(request, domain_id, forms.NameServersForm, "ns_form", action)


@login_required
@require_POST
def domain_use_hosted_zone(request: HttpRequest, domain_id: int) -> HttpResponse:
    domain = get_owned_object_or_404(Domain, request.user, pk=domain_id)
    form = forms.UseHostedZoneForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError("hosted zone: choose one of your hosted zones", "hosted_zone")
        zone = services.use_hosted_zone(domain=domain, hosted_zone_id=form.cleaned_data["hosted_zone"])
    except ServiceError as error:
        show_service_error(request, error)
    else:
        messages.success(
            request,
            f"The registry now delegates the domain to your hosted zone {services.describe_zone(zone)}.",
        )
    return redirect("registrar-domain-detail", domain_id=domain.pk)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def domain_auth_code(request: HttpRequest, domain_id: int) -> HttpResponse:
    """GET shows the auth code; POST makes a new one (and mails the owner), then shows it."""
    domain = get_owned_object_or_404(Domain, request.user, pk=domain_id)
    try:
        if request.method == "POST":
            services.reset_auth_code(domain=domain)
            messages.success(
                request, "A new auth code is set; the old one no longer works. We mailed you about it."
            )
            return redirect("registrar-domain-auth-code", domain_id=domain.pk)
        code = services.auth_code(domain)
    except ServiceError as error:
        show_service_error(request, error)
        return redirect("registrar-domain-detail", domain_id=domain.pk)
    return _detail(request, domain, auth_code=code)


@login_required
@require_POST
def domain_ds_add(request: HttpRequest, domain_id: int) -> HttpResponse:
    def action(domain: Domain, form: forms.DsForm) -> str:
        services.add_ds_record(domain=domain, **form.cleaned_data)
        return (
            f"DS record {form.cleaned_data['key_tag']} is published in the .{domain.tld} zone. "
            "Check that your DNS provider signs the zone with the matching key: if it does not, "
            "validating resolvers will fail the domain (SERVFAIL)."
        )

    return _domain_action(request, domain_id, forms.DsForm, "ds_form", action)


@login_required
@require_POST
def domain_ds_remove(request: HttpRequest, domain_id: int) -> HttpResponse:
    def action(domain: Domain, form: forms.DsForm) -> str:
        services.remove_ds_record(domain=domain, **form.cleaned_data)
        return f"DS record {form.cleaned_data['key_tag']} is withdrawn."

    return _domain_action(request, domain_id, forms.DsForm, "ds_form", action)


@login_required
@require_POST
def domain_glue_add(request: HttpRequest, domain_id: int) -> HttpResponse:
    def action(domain: Domain, form: forms.GlueHostForm) -> str:
        services.create_glue_host(
            domain=domain, name=form.cleaned_data["name"], addresses=form.address_list()
        )
        return f"Host {form.cleaned_data['name']} is registered with its glue."

    return _domain_action(request, domain_id, forms.GlueHostForm, "glue_form", action)


@login_required
@require_POST
def domain_glue_update(request: HttpRequest, domain_id: int, host: str) -> HttpResponse:
    domain = get_owned_object_or_404(Domain, request.user, pk=domain_id)
    form = forms.GlueAddressesForm(request.POST)
    if form.is_valid():
        try:
            services.update_glue_host(domain=domain, name=host, addresses=form.address_list())
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Host {host} now has the glue {', '.join(form.address_list())}.")
            return redirect("registrar-domain-detail", domain_id=domain.pk)
    return _detail(request, domain, status=400, glue_edit={"host": host, "form": form})


@login_required
@require_POST
def domain_glue_delete(request: HttpRequest, domain_id: int, host: str) -> HttpResponse:
    domain = get_owned_object_or_404(Domain, request.user, pk=domain_id)
    try:
        services.delete_glue_host(domain=domain, name=host)
    except ServiceError as error:
        show_service_error(request, error)
    else:
        messages.success(request, f"Host {host} is deleted, with its glue.")
    return redirect("registrar-domain-detail", domain_id=domain.pk)


@login_required
@require_POST
def domain_contact(request: HttpRequest, domain_id: int) -> HttpResponse:
    def action(domain: Domain, form: forms.ContactChangeForm) -> str:
        services.update_contact(domain=domain, role=form.cleaned_data["role"], contact=form.contact())
        return f"The {form.cleaned_data['role']} contact is updated at the registry."

    return _domain_action(request, domain_id, forms.ContactChangeForm, "contact_form", action)


@login_required
@require_POST
def domain_transfer_out(request: HttpRequest, domain_id: int) -> HttpResponse:
    def action(domain: Domain, form: forms.TransferOutForm) -> str:
        services.request_transfer_out(domain=domain, auth_code=form.cleaned_data["auth_code"])
        return "Elsewhere Names asked for the domain; approve now or it goes through in five days."

    return _domain_action(request, domain_id, forms.TransferOutForm, "transfer_form", action)


def _transfer_step(request: HttpRequest, domain_id: int, step, done: str) -> HttpResponse:
    domain = get_owned_object_or_404(Domain, request.user, pk=domain_id)
    try:
        step(domain=domain)
    except ServiceError as error:
        show_service_error(request, error)
    else:
        messages.success(request, done)
    return redirect("registrar-domain-detail", domain_id=domain.pk)


@login_required
@require_POST
def domain_transfer_out_approve(request: HttpRequest, domain_id: int) -> HttpResponse:
    return _transfer_step(
        request, domain_id, services.approve_transfer_out, "The domain moved to Elsewhere Names."
    )


@login_required
@require_POST
def domain_transfer_out_reject(request: HttpRequest, domain_id: int) -> HttpResponse:
    return _transfer_step(
        request, domain_id, services.reject_transfer_out, "Transfer refused; the domain stays."
    )


@login_required
@require_POST
def domain_transfer_in_cancel(request: HttpRequest, domain_id: int) -> HttpResponse:
    return _transfer_step(request, domain_id, services.cancel_transfer_in, "Transfer cancelled and refunded.")


@login_required
def transfer_in(request: HttpRequest) -> HttpResponse:
    form = forms.TransferInForm(request.POST or None, initial={"email": request.user.email})
    if request.method == "POST" and form.is_valid():
        try:
            domain = services.transfer_in(
                owner=request.user,
                name=form.cleaned_data["domain"],
                auth_code=form.cleaned_data["auth_code"],
                contact=form.contact(),
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ServiceError as error:
            show_service_error(form, error, renames={"name": "domain"})
        else:
            messages.success(
                request, f"Transfer of {domain.unicode_name} requested; it pends until approved."
            )
            return redirect("registrar-domain-detail", domain_id=domain.pk)
    return render(request, "registrar/transfer_in.html", {"form": form})


def whois(request: HttpRequest) -> HttpResponse:
    form = forms.WhoisForm(request.GET or None)
    status, body = rdap.domain_response(form.cleaned_data["name"]) if form.is_valid() else (None, None)
    if status and status != 200:
        form.add_error("name", body["description"][0])
        body = None
    return render(request, "registrar/whois.html", {"form": form, "rdap": body})


@login_required
def billing(request: HttpRequest) -> HttpResponse:
    form = forms.TopUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.top_up(
                owner=request.user,
                amount_cents=form.amount_cents(),
                card_number=form.cleaned_data["card_number"],
            )
        except ServiceError as error:
            show_service_error(form, error, renames={"amount_cents": "amount"})
        else:
            messages.success(request, f"{services.format_cents(entry.amount_cents)} added to your balance.")
            return redirect("registrar-billing")
    context = {
        "form": form,
        "entries": LedgerEntry.objects.owned_by(request.user)[:200],
        "balance": services.format_cents(services.balance_cents(request.user)),
    }
    return render(request, "registrar/billing.html", context, status=400 if form.errors else 200)


@login_required
def registry_clock(request: HttpRequest) -> HttpResponse:
    """Staff only (404 for anyone else): move the registry's clock forward to watch domains' life cycles."""
    if not request.user.is_staff:
        raise Http404
    form = forms.RegistryClockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["days"]
        events = tasks.advance_registry_clock(days=days)
        messages.success(request, f"The registry's clock moved {days} days forward: {len(events)} events.")
        request.session["registry_clock_events"] = events[-50:]
        return redirect("registrar-registry-clock")
    now = commands.registry_time()
    context = {
        "form": form,
        "registry_now": now,
        "ahead": now - timezone.now(),
        "events": request.session.pop("registry_clock_events", []),
        "domains": Domain.objects.exclude(state=Domain.DELETED)
        .select_related("owner")
        .order_by("expires_at")[:200],
    }
    return render(request, "registrar/registry_clock.html", context)
