"""Console forms. Field checks are the rule module's: `clean()` calls it and files each problem by field."""

from django import forms
from django.db import models

from healthchecks.models import HealthCheck
from kernel.views import show_service_error
from zones import rules, services
from zones.models import SPEC_FIELD_NAMES, DelegationSet, Endpoint, Network, RecordSet
from zones.regions import region_choices
from zones.vocabulary import CONTINENTS, FailoverRole, RoutingPolicy, choices

# Where a rule's field lands in the record-set form, when the form names it otherwise.
RECORD_FORM_FIELDS: dict[str, str | None] = {
    "alias_target": "alias_target_name",
    "geolocation": "continent",
}


class HostedZoneForm(forms.Form):
    name = forms.CharField(
        max_length=255, help_text="The domain, e.g. example.com (bought here or elsewhere)."
    )
    comment = forms.CharField(max_length=256, required=False)
    is_private = forms.BooleanField(
        required=False,
        label="Private zone",
        help_text="Answers only to clients inside the networks chosen below.",
    )
    networks = forms.ModelMultipleChoiceField(
        queryset=Network.objects.none(), required=False, help_text="For a private zone: one or more networks."
    )
    delegation_set = forms.ModelChoiceField(
        queryset=DelegationSet.objects.none(),
        required=False,
        empty_label="A new set of four name servers",
        help_text="Or a reusable delegation set, to give several zones the same name servers.",
    )

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["networks"].queryset = Network.objects.owned_by(user)
        self.fields["delegation_set"].queryset = DelegationSet.objects.owned_by(user).filter(is_reusable=True)

    def clean_name(self) -> str:
        name, problems = rules.normalize_zone_name(self.cleaned_data["name"])
        if problems:
            raise forms.ValidationError(problems[0].reason)
        return name


class ZoneSettingsForm(forms.Form):
    comment = forms.CharField(max_length=256, required=False)
    tags = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One key=value per line, e.g. team=web.",
    )

    def clean_tags(self) -> dict:
        tags = {}
        for line in self.cleaned_data["tags"].splitlines():
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            if not sep or not key.strip():
                raise forms.ValidationError(f"{line.strip()} is not key=value")
            tags[key.strip()] = value.strip()
        return tags


class RecordSetForm(forms.Form):
    """A record set; the script static/zones/record_form.js shows only the fields the type and policy use."""

    name = forms.CharField(
        max_length=255, required=False, help_text="Relative (www, @ for the apex, *.dev) or absolute."
    )
    type = forms.ChoiceField(choices=[(t, t) for t in rules.RECORD_TYPES if t != "SOA"], initial="A")
    is_alias = forms.BooleanField(
        required=False,
        label="Alias",
        help_text="Answer with another record set's or an endpoint's data instead.",
    )
    ttl = forms.IntegerField(
        required=False,
        initial=300,
        min_value=0,
        max_value=rules.MAX_TTL,
        label="TTL (seconds)",
        help_text=(
            "How long resolvers may keep the answer. Keep it short (60 to 300 s) while the record is "
            "new or about to change; raise it to an hour (3600) or a day (86400) once it is stable. "
            "Not for an alias (it answers with its target's TTL)."
        ),
    )
    values = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text='One value per line, as in a zone file: 192.0.2.1 · 10 mail.example.com. · "v=spf1 -all".',
    )
    alias_target_name = forms.CharField(
        max_length=255,
        required=False,
        label="Alias target",
        help_text="A record set of this zone with the same type.",
    )
    alias_endpoint = forms.ModelChoiceField(
        queryset=Endpoint.objects.none(), required=False, label="…or endpoint", help_text="A or AAAA only."
    )
    evaluate_target_health = forms.BooleanField(
        required=False, help_text="Skip this alias while its target is unhealthy."
    )
    policy = forms.ChoiceField(
        choices=choices(RoutingPolicy), initial=RoutingPolicy.SIMPLE.value, label="Routing policy"
    )
    set_identifier = forms.CharField(
        max_length=128,
        required=False,
        help_text="Unique per name and type; needed by every policy but simple.",
    )
    weight = forms.IntegerField(
        required=False, min_value=0, max_value=rules.MAX_WEIGHT, help_text="Weighted: 0 to 255."
    )
    region = forms.ChoiceField(required=False, help_text="Latency: the region this record set serves from.")
    failover = forms.ChoiceField(
        required=False,
        choices=[("", "—"), *choices(FailoverRole)],
        help_text="Failover: one PRIMARY, one SECONDARY.",
    )
    continent = forms.ChoiceField(
        required=False,
        choices=[("", "—"), *sorted(CONTINENTS.items())],
        help_text="Geolocation: a continent, or a country below.",
    )
    country = forms.CharField(
        max_length=2, required=False, help_text="Geolocation: ISO code (FR, US), or * for the default record."
    )
    subdivision = forms.CharField(
        max_length=3, required=False, help_text="Geolocation: with a country, e.g. CA for US-CA."
    )
    health_check = forms.ModelChoiceField(
        queryset=HealthCheck.objects.none(),
        required=False,
        help_text="Leave this record set out while the check fails.",
    )

    def __init__(self, *args, zone=None, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.user = user
        self.fields["region"].choices = [("", "—"), *region_choices()]
        self.fields["alias_endpoint"].queryset = Endpoint.objects.owned_by(user)
        self.fields["health_check"].queryset = HealthCheck.objects.owned_by(user)
        self.spec: rules.RecordSetSpec | None = None

    @classmethod
    def initial_for(cls, rs: RecordSet) -> dict:
        """The form's initial data for an existing record set, from its spec."""
        spec = rs.to_spec()
        initial = {SPEC_FIELD_NAMES[name]: value for name, value in spec.as_dict().items()}
        initial.update(name=rs.relative_name, values="\n".join(spec.values), is_alias=spec.is_alias)
        return initial

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        spec = self._spec(data)
        if data.get("is_alias") and not spec.is_alias:
            self.add_error(
                "alias_target_name", "Name the record set or pick the endpoint this alias answers with."
            )
            return data
        self.spec, problems = rules.check_record_set(
            spec, zone_name=self.zone.name, context=services.rule_context(self.user)
        )
        for problem in problems:
            self.add_problem(problem)
        return data

    def _spec(self, data: dict) -> rules.RecordSetSpec:
        """The record set the cleaned data describes; an alias has no TTL and values of its own."""
        fields = {}
        for name, form_name in SPEC_FIELD_NAMES.items():
            value = data.get(form_name)
            fields[name] = value.pk if isinstance(value, models.Model) else value
        is_alias = bool(data.get("is_alias"))
        endpoint_id = fields["alias_endpoint_id"] if is_alias else None
        fields.update(
            ttl=None if is_alias else fields["ttl"],
            values=() if is_alias else tuple(line for line in fields["values"].splitlines() if line.strip()),
            policy=fields["policy"] or RoutingPolicy.SIMPLE.value,
            alias_target_name=fields["alias_target_name"] if is_alias and endpoint_id is None else "",
            alias_endpoint_id=endpoint_id,
            evaluate_target_health=bool(is_alias and fields["evaluate_target_health"]),
        )
        return rules.RecordSetSpec.from_dict(fields)

    def add_problem(self, problem: rules.Problem) -> None:
        """A rule's refusal in words: beside its field, or on top of the form. The form is this
        record set's, so the message names neither it nor the rule's internal field."""
        field = RECORD_FORM_FIELDS.get(problem.field, problem.field)
        self.add_error(field if field in self.fields else None, problem.reason)

    def add_refusal(self, error: services.ChangeBatchError) -> None:
        """The change batch's refusal of this record set: every rule's problem where `clean`
        puts one, anything else as show_service_error places it (no "change <index>: ")."""
        problems = [problem for problem in error.problems if self._concerns_this_record_set(problem)]
        if not problems and error.problem is not None:
            problems = [error.problem]
        if problems:
            for problem in problems:
                self.add_problem(problem)
        else:
            show_service_error(self, error, renames=RECORD_FORM_FIELDS)

    def _concerns_this_record_set(self, problem: rules.Problem) -> bool:
        """A batch's problem about this form's record set (not one the zone had already)."""
        if self.spec is None or not problem.key:
            return False
        return problem.key == self.spec.key or self.spec.key in problem.group


class InlineEditForm(forms.Form):
    """The record list's inline edit: TTL and values of an existing record set."""

    ttl = forms.IntegerField(required=False, min_value=0, max_value=rules.MAX_TTL)
    values = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="A BIND master file; $ORIGIN and $TTL are understood, $INCLUDE is refused."
    )
    replace = forms.BooleanField(
        required=False,
        label="Replace the zone",
        help_text="Also delete record sets the file does not hold (SOA and NS are always kept).",
    )


class NetworkForm(forms.Form):
    name = forms.CharField(max_length=100)
    cidrs = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="CIDRs",
        help_text="One per line, IPv4 or IPv6 (10.0.0.0/16).",
    )

    def clean_cidrs(self) -> list[str]:
        cidrs = [line.strip() for line in self.cleaned_data["cidrs"].splitlines() if line.strip()]
        problems = rules.cidr_problems(cidrs)
        if problems:
            raise forms.ValidationError([problem.reason for problem in problems])
        return cidrs


class EndpointForm(forms.Form):
    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=Endpoint.Kind.choices)
    addresses = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="One IPv4 or IPv6 address per line."
    )
    ttl = forms.IntegerField(initial=60, min_value=0, max_value=rules.MAX_TTL, label="TTL (seconds)")
    health_check = forms.ModelChoiceField(queryset=HealthCheck.objects.none(), required=False)

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["health_check"].queryset = HealthCheck.objects.owned_by(user)

    def clean_addresses(self) -> list[str]:
        addresses = [line.strip() for line in self.cleaned_data["addresses"].splitlines() if line.strip()]
        problems = rules.address_problems(addresses)
        if problems:
            raise forms.ValidationError([problem.reason for problem in problems])
        return addresses
