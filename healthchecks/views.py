"""Console pages: /healthchecks/ (checks) and /alerts/ (topics, subscriptions, alarms, history, outbox)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from healthchecks import alerting, demo, forms, services
from healthchecks.models import Alarm, HealthCheck, Notification, SmsOutboxMessage, Subscription, Topic
from kernel.ownership import get_owned_object_or_404
from kernel.views import show_service_error

# ---- health checks --------------------------------------------------------------------------


@login_required
@require_GET
def check_list(request: HttpRequest) -> HttpResponse:
    checks = HealthCheck.objects.owned_by(request.user).prefetch_related("region_states")
    return render(
        request, "healthchecks/check_list.html", {"checks": checks, "demo": demo.demo_target_state()}
    )


@login_required
@require_http_methods(["GET", "POST"])
def check_create(request: HttpRequest) -> HttpResponse:
    form = forms.HealthCheckForm(request.POST or None, owner=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            check = services.create_health_check(owner=request.user, data=form.service_data())
        except services.HealthCheckError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request, f"Health check {check.name} created; the first probes run within seconds."
            )
            return redirect("healthchecks-check-detail", check.pk)
    return render(request, "healthchecks/check_form.html", {"form": form, "check": None})


@login_required
@require_http_methods(["GET", "POST"])
def check_edit(request: HttpRequest, check_id: int) -> HttpResponse:
    check = get_owned_object_or_404(HealthCheck, request.user, pk=check_id)
    form = forms.HealthCheckForm(request.POST or None, owner=request.user, check=check)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_health_check(check=check, data=form.service_data())
        except services.HealthCheckError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Health check {check.name} saved.")
            return redirect("healthchecks-check-detail", check.pk)
    return render(request, "healthchecks/check_form.html", {"form": form, "check": check})


@login_required
@require_GET
def check_detail(request: HttpRequest, check_id: int) -> HttpResponse:
    check = get_owned_object_or_404(HealthCheck, request.user, pk=check_id)
    window = request.GET.get("window", "hour")
    context = {
        "check": check,
        "window": window if window in services.WINDOWS else "hour",
        "windows": list(services.WINDOWS),
        "regions": check.region_states.all(),
        "timeline": check.status_changes.all()[:50],
        "summary": services.result_summary(check=check),
        "recent": check.results.all()[:20],
        "children": check.child_checks.all(),
    }
    return render(request, "healthchecks/check_detail.html", context)


@login_required
@require_GET
def check_latency(request: HttpRequest, check_id: int) -> JsonResponse:
    check = get_owned_object_or_404(HealthCheck, request.user, pk=check_id)
    return JsonResponse(services.latency_series(check=check, window=request.GET.get("window", "hour")))


@login_required
@require_POST
def check_disable(request: HttpRequest, check_id: int) -> HttpResponse:
    check = get_owned_object_or_404(HealthCheck, request.user, pk=check_id)
    is_disabled = request.POST.get("is_disabled", "1") == "1"
    services.set_health_check_disabled(check=check, is_disabled=is_disabled)
    messages.success(request, f"Health check {check.name} is {'disabled' if is_disabled else 'enabled'}.")
    return redirect("healthchecks-check-detail", check.pk)


@login_required
@require_http_methods(["GET", "POST"])
def check_delete(request: HttpRequest, check_id: int) -> HttpResponse:
    check = get_owned_object_or_404(HealthCheck, request.user, pk=check_id)
    if request.method == "POST":
        try:
            services.delete_health_check(check=check)
        except services.HealthCheckError as error:
            show_service_error(request, error)
            return redirect("healthchecks-check-detail", check.pk)
        messages.success(request, f"Health check {check.name} deleted.")
        return redirect("healthchecks-check-list")
    return render(request, "healthchecks/check_delete.html", {"check": check})


@login_required
@require_POST
def demo_target_switch(request: HttpRequest) -> HttpResponse:
    is_up = request.POST.get("is_up") == "1"
    demo.set_demo_target_up(is_up)
    messages.success(request, f"The demo primary is {'up' if is_up else 'down'}; watch its check and alarm.")
    return redirect("healthchecks-check-list")


# ---- topics and subscriptions ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def topic_list(request: HttpRequest) -> HttpResponse:
    form = forms.TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            topic = alerting.create_topic(owner=request.user, name=form.cleaned_data["name"])
        except alerting.AlertError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Topic {topic.name} created; add subscribers to it.")
            return redirect("healthchecks-topic-detail", topic.pk)
    topics = Topic.objects.owned_by(request.user).prefetch_related("subscriptions", "alarms")
    return render(request, "healthchecks/topic_list.html", {"form": form, "topics": topics})


@login_required
@require_http_methods(["GET", "POST"])
def topic_detail(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = get_owned_object_or_404(Topic, request.user, pk=topic_id)
    form = forms.SubscriptionForm(request.POST or None, owner=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            subscription = alerting.subscribe(topic=topic, **form.cleaned_data)
        except alerting.AlertError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"{subscription.endpoint} added; it stays pending until confirmed.")
            return redirect("healthchecks-topic-detail", topic.pk)
    context = {
        "topic": topic,
        "form": form,
        "code_form": forms.ConfirmCodeForm(),
        "alarms": topic.alarms.all(),
    }
    return render(request, "healthchecks/topic_detail.html", context)


@login_required
@require_POST
def topic_delete(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = get_owned_object_or_404(Topic, request.user, pk=topic_id)
    alerting.delete_topic(topic=topic)
    messages.success(request, f"Topic {topic.name} deleted with its subscriptions and alarms.")
    return redirect("healthchecks-topic-list")


@login_required
@require_POST
def subscription_resend(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = get_owned_object_or_404(Subscription, request.user, pk=subscription_id)
    try:
        alerting.resend_confirmation(subscription=subscription)
    except alerting.AlertError as error:
        show_service_error(request, error)
    else:
        messages.success(request, f"A new confirmation is on its way to {subscription.endpoint}.")
    return redirect("healthchecks-topic-detail", subscription.topic_id)


@login_required
@require_POST
def subscription_confirm_code(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = get_owned_object_or_404(Subscription, request.user, pk=subscription_id)
    form = forms.ConfirmCodeForm(request.POST)
    if form.is_valid():
        try:
            alerting.confirm_by_code(subscription=subscription, code=form.cleaned_data["code"])
        except alerting.AlertError as error:
            show_service_error(request, error)
        else:
            messages.success(request, f"{subscription.endpoint} is confirmed.")
    else:
        messages.error(request, "code: enter the six-digit code from the text message")
    return redirect("healthchecks-topic-detail", subscription.topic_id)


@login_required
@require_POST
def subscription_delete(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = get_owned_object_or_404(Subscription, request.user, pk=subscription_id)
    alerting.delete_subscription(subscription=subscription)
    messages.success(request, f"{subscription.endpoint} removed.")
    return redirect("healthchecks-topic-detail", subscription.topic_id)


@require_http_methods(["GET", "POST"])
def subscription_confirm_link(request: HttpRequest, token: str) -> HttpResponse:
    """Reached from the e-mail, logged in or not."""
    if request.method == "GET":
        return render(request, "healthchecks/subscription_confirm.html", {"action": "confirm"})
    try:
        subscription = alerting.confirm_by_link(token)
    except alerting.AlertError as error:
        return render(request, "healthchecks/subscription_confirm.html", {"error": error.message}, status=400)
    return render(request, "healthchecks/subscription_confirm.html", {"done": subscription})


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Reached from any alert message, logged in or not; GET asks, POST removes."""
    if request.method == "GET":
        return render(request, "healthchecks/unsubscribe.html", {})
    try:
        endpoint = alerting.unsubscribe(token)
    except alerting.AlertError as error:
        return render(request, "healthchecks/unsubscribe.html", {"error": error.message}, status=400)
    return render(request, "healthchecks/unsubscribe.html", {"done": endpoint})


# ---- alarms, history, outbox ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def alarm_list(request: HttpRequest) -> HttpResponse:
    form = forms.AlarmForm(request.POST or None, owner=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            alarm = alerting.create_alarm(owner=request.user, **form.cleaned_data)
        except alerting.AlertError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Alarm {alarm.name} created.")
            return redirect("healthchecks-alarm-list")
    alarms = Alarm.objects.owned_by(request.user).select_related("health_check", "domain", "topic")
    return render(request, "healthchecks/alarm_list.html", {"form": form, "alarms": alarms})


@login_required
@require_http_methods(["GET", "POST"])
def alarm_edit(request: HttpRequest, alarm_id: int) -> HttpResponse:
    alarm = get_owned_object_or_404(Alarm, request.user, pk=alarm_id)
    initial = {
        "name": alarm.name,
        "topic": alarm.topic,
        "quiet_period_seconds": alarm.quiet_period_seconds,
        "expiry_warning_days": alarm.expiry_warning_days,
    }
    form = forms.AlarmForm(request.POST or None, owner=request.user, alarm=alarm, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            alerting.update_alarm(alarm=alarm, **form.cleaned_data)
        except alerting.AlertError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Alarm {alarm.name} saved.")
            return redirect("healthchecks-alarm-list")
    events = alarm.events.all()[:30]
    return render(request, "healthchecks/alarm_edit.html", {"form": form, "alarm": alarm, "events": events})


@login_required
@require_POST
def alarm_delete(request: HttpRequest, alarm_id: int) -> HttpResponse:
    alarm = get_owned_object_or_404(Alarm, request.user, pk=alarm_id)
    alerting.delete_alarm(alarm=alarm)
    messages.success(request, f"Alarm {alarm.name} deleted.")
    return redirect("healthchecks-alarm-list")


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.owned_by(request.user).select_related("event__alarm")
    page = Paginator(notifications, 50).get_page(request.GET.get("page"))
    return render(request, "healthchecks/notification_list.html", {"page": page})


@login_required
@require_GET
def sms_outbox(request: HttpRequest) -> HttpResponse:
    outbox = SmsOutboxMessage.objects.owned_by(request.user)
    page = Paginator(outbox, 50).get_page(request.GET.get("page"))
    return render(request, "healthchecks/sms_outbox.html", {"page": page})
