"""Console forms. They parse input; the rules live in rules.py and the services apply them.

The check form asks the services for every rule its input breaks, so that each problem
stands beside its own field, as the API's serializer does.
"""

import ipaddress
import urllib.parse

from django import forms
from django.conf import settings
from django.utils.html import format_html, format_html_join

from healthchecks import services
from healthchecks.models import Alarm, HealthCheck, Subscription, Topic

# The parts a URL fills in, and the types that take one (the scheme picks HTTP or HTTPS).
URL_TYPES = {
    HealthCheck.HTTP: "http",
    HealthCheck.HTTPS: "https",
    HealthCheck.HTTP_STR_MATCH: "http",
    HealthCheck.HTTPS_STR_MATCH: "https",
}
TYPE_FOR_SCHEME = {
    ("http", False): HealthCheck.HTTP,
    ("https", False): HealthCheck.HTTPS,
    ("http", True): HealthCheck.HTTP_STR_MATCH,
    ("https", True): HealthCheck.HTTPS_STR_MATCH,
}


def split_check_url(url: str) -> dict:
    """`https://host:port/path?query` as the check's parts: scheme, ip_address or host_name,
    port (None: the scheme's default) and resource_path. Raises ValidationError with the reason."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise forms.ValidationError(
            f"{url} is not an http:// or https:// URL such as https://shop.example.com/health"
        )
    try:
        port = parts.port
    except ValueError:
        raise forms.ValidationError(f"the port in {url} is not a number from 1 to 65535") from None
    host = parts.hostname
    try:
        ipaddress.ip_address(host)
        address, host_name = host, ""
    except ValueError:
        address, host_name = "", host
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return {
        "scheme": parts.scheme.lower(),
        "ip_address": address,
        "host_name": host_name,
        "port": port,
        "resource_path": path,
    }


def check_url(check: HealthCheck) -> str:
    """The URL a check of an HTTP type probes, as the form shows it (empty for other types)."""
    scheme = URL_TYPES.get(check.check_type)
    if scheme is None:
        return ""
    host = check.host_name or check.ip_address or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{check.port}" if check.port and check.port != {"http": 80, "https": 443}[scheme] else ""
    return f"{scheme}://{host}{port}{check.resource_path or '/'}"


class HealthCheckForm(forms.Form):
    """A check's settings; static/healthchecks/check_form.js shows only the fields of the chosen type."""

    name = forms.CharField(max_length=100)
    check_type = forms.ChoiceField(choices=HealthCheck.TYPE_CHOICES, label="Type")
    url = forms.CharField(
        required=False,
        max_length=2048,
        label="URL",
        help_text="HTTP and HTTPS checks: the address to request, such as "
        "https://shop.example.com:8443/health; the scheme sets HTTP or HTTPS.",
    )
    ip_address = forms.CharField(
        required=False, label="IP address", help_text="Probe this address; or give a host name instead."
    )
    host_name = forms.CharField(
        required=False, help_text="Resolved by the checker when no IP address is given; also the Host header."
    )
    port = forms.IntegerField(
        required=False, help_text="Default 80 for HTTP, 443 for HTTPS; required for TCP."
    )
    resource_path = forms.CharField(required=False, initial="/", label="Path")
    host_header = forms.CharField(required=False, label="Host header", help_text="Overrides the host name.")
    search_string = forms.CharField(
        required=False, help_text="String matching: the first 5,120 bytes of the body must contain it."
    )
    skip_tls_verification = forms.BooleanField(required=False, label="Skip certificate verification (HTTPS)")
    request_interval_seconds = forms.TypedChoiceField(
        choices=HealthCheck.INTERVAL_CHOICES, coerce=int, initial=30, label="Request interval"
    )
    failure_threshold = forms.IntegerField(
        initial=3, help_text="Consecutive results (1 to 10) before a region changes its mind."
    )
    timeout_seconds = forms.FloatField(initial=4.0, label="Timeout (seconds)")
    regions = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Checker regions"
    )
    child_checks = forms.ModelMultipleChoiceField(
        queryset=HealthCheck.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Calculated checks only: the checks whose status this one combines.",
    )
    healthy_children_threshold = forms.IntegerField(
        required=False,
        initial=1,
        help_text="Calculated checks: healthy when at least this many children are.",
    )
    is_inverted = forms.BooleanField(
        required=False, label="Invert the status (healthy when the target fails)"
    )
    is_disabled = forms.BooleanField(required=False, label="Disabled (not probed; counts as healthy)")

    def __init__(self, *args, owner, check: HealthCheck | None = None, **kwargs) -> None:
        if check is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{field: getattr(check, field) for field in self.base_fields if hasattr(check, field)},
                "child_checks": list(check.child_checks.all()),
                "url": check_url(check),
            }
        super().__init__(*args, **kwargs)
        self.owner, self.check = owner, check
        self.fields["regions"].choices = [(region, region) for region in settings.HEALTHCHECK_REGIONS]
        if check is None:
            self.fields["regions"].initial = list(settings.HEALTHCHECK_REGIONS)
        children = HealthCheck.objects.owned_by(owner)
        if check is not None:
            children = children.exclude(pk=check.pk)
        self.fields["child_checks"].queryset = children

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("url") and cleaned.get("check_type") in URL_TYPES:
            try:
                parts = split_check_url(cleaned["url"])
            except forms.ValidationError as error:
                self.add_error("url", error)
            else:
                is_string_match = cleaned["check_type"] in (
                    HealthCheck.HTTP_STR_MATCH,
                    HealthCheck.HTTPS_STR_MATCH,
                )
                cleaned["check_type"] = TYPE_FOR_SCHEME[(parts.pop("scheme"), is_string_match)]
                cleaned.update(parts)
        if not self.errors:
            data = self.service_data()
            if self.check is not None:
                data = services.merged_settings(check=self.check, data=data)
            for problem in services.check_problems(owner=self.owner, data=data, check=self.check):
                self.add_error(problem.field if problem.field in self.fields else None, problem.reason)
        return cleaned

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("url", None)
        data["child_checks"] = [child.pk for child in data["child_checks"]]
        if data.get("healthy_children_threshold") is None:
            data["healthy_children_threshold"] = 1
        for field in ("ip_address", "host_name", "resource_path", "host_header", "search_string"):
            data[field] = (data.get(field) or "").strip()
        return data


class TopicForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="For example: on-call, or web team.")


class SuggestingInput(forms.TextInput):
    """A text input offering a few values in a <datalist> (the browser lists them as you type)."""

    def __init__(self, suggestions: list[str] | None = None, attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.suggestions = suggestions or []

    def render(self, name, value, attrs=None, renderer=None) -> str:
        if not self.suggestions:
            return super().render(name, value, attrs, renderer)
        list_id = f"{name}-suggestions"
        html = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        options = format_html_join("", '<option value="{}"></option>', ((item,) for item in self.suggestions))
        return format_html('{}<datalist id="{}">{}</datalist>', html, list_id, options)


class SubscriptionForm(forms.Form):
    """A subscription; the endpoint offers the account's own e-mail address and mobile number."""

    protocol = forms.ChoiceField(choices=Subscription.PROTOCOL_CHOICES)
    endpoint = forms.CharField(
        max_length=254,
        label="Address or number",
        help_text="An e-mail address, or a mobile number in E.164 form.",
    )

    def __init__(self, *args, owner=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        suggestions = []
        if owner is not None and owner.is_email_verified:
            suggestions.append(owner.email)
        mobile = getattr(owner, "mobile_number", "")
        if mobile:
            suggestions.append(mobile)
            self.fields["endpoint"].help_text = (
                f"An e-mail address, or a mobile number in E.164 form; for SMS, your account's number "
                f"{mobile} is offered."
            )
        self.fields["endpoint"].widget = SuggestingInput(suggestions, attrs={"autocomplete": "off"})


class ConfirmCodeForm(forms.Form):
    code = forms.CharField(max_length=6, min_length=6, label="Six-digit code")


class AlarmForm(forms.Form):
    name = forms.CharField(max_length=100)
    health_check = forms.ModelChoiceField(queryset=HealthCheck.objects.none(), required=False)
    # The queryset (the domains the alarm's foreign key points at, the owner's only) is set per form.
    domain = forms.ModelChoiceField(
        queryset=None,
        required=False,
        help_text="Or watch a domain's expiry instead of a check.",
    )
    expiry_warning_days = forms.IntegerField(
        initial=30,
        required=False,
        help_text="Domain alarms: go into alarm this many days before the domain expires.",
    )
    topic = forms.ModelChoiceField(queryset=Topic.objects.none())
    quiet_period_seconds = forms.IntegerField(
        initial=0,
        label="Quiet period (seconds)",
        help_text="Wait this long before announcing; if the status flips back meanwhile, nothing is sent.",
    )

    def clean_expiry_warning_days(self) -> int:
        value = self.cleaned_data.get("expiry_warning_days")
        return 30 if value is None else value

    def __init__(self, *args, owner, alarm: Alarm | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["health_check"].queryset = HealthCheck.objects.owned_by(owner)
        self.fields["topic"].queryset = Topic.objects.owned_by(owner)
        domains = Alarm._meta.get_field("domain").related_model.objects
        self.fields["domain"].queryset = domains.owned_by(owner)
        if alarm is not None:
            # What an alarm watches is fixed at creation; its name, topic and timings can change.
            del self.fields["health_check"]
            del self.fields["domain"]
