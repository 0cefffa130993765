"""Console forms. They parse input; the rules live in rules.py and the services apply them.

The check form asks the services for every rule its input breaks, so that each problem
stands beside its own field, as the API's serializer does.
"""

from django import forms
from django.conf import settings

from healthchecks import services
from healthchecks.models import Alarm, HealthCheck, Subscription, Topic


class HealthCheckForm(forms.Form):
    name = forms.CharField(max_length=100)
    check_type = forms.ChoiceField(choices=HealthCheck.TYPE_CHOICES, label="Type")
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
        if not self.errors:
            data = self.service_data()
            if self.check is not None:
                data = services.merged_settings(check=self.check, data=data)
            for problem in services.check_problems(owner=self.owner, data=data, check=self.check):
                self.add_error(problem.field if problem.field in self.fields else None, problem.message)
        return cleaned

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["child_checks"] = [child.pk for child in data["child_checks"]]
        if data.get("healthy_children_threshold") is None:
            data["healthy_children_threshold"] = 1
        for field in ("ip_address", "host_name", "resource_path", "host_header", "search_string"):
            data[field] = (data.get(field) or "").strip()
        return data


class TopicForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="For example: on-call, or web team.")


class SubscriptionForm(forms.Form):
    protocol = forms.ChoiceField(choices=Subscription.PROTOCOL_CHOICES)
    endpoint = forms.CharField(
        max_length=254,
        label="Address or number",
        help_text="An e-mail address, or a mobile number in E.164 form.",
    )


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
