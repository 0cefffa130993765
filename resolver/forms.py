"""Console forms of the Resolver. The checks are the services'; a refusal lands beside its field."""

from django import forms

from resolver.models import ResolverEndpoint, ResolverRule
from zones.models import Network


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]


class ResolverEndpointForm(forms.Form):
    name = forms.CharField(max_length=64)
    network = forms.ModelChoiceField(queryset=Network.objects.none())
    direction = forms.ChoiceField(choices=ResolverEndpoint.Direction.choices)
    addresses = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Inbound: IP:PORT per line (empty: the next free address). Outbound: source IPs.",
    )

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = Network.objects.owned_by(user)

    def clean_addresses(self) -> list[str]:
        return _lines(self.cleaned_data["addresses"])


class ResolverRuleForm(forms.Form):
    name = forms.CharField(max_length=64)
    domain_name = forms.CharField(max_length=255, help_text="The domain and everything below it.")
    rule_type = forms.ChoiceField(choices=ResolverRule.RuleType.choices)
    target_ips = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Target addresses",
        help_text="FORWARD: IP or IP:PORT per line (port 53 by default).",
    )
    outbound_endpoint = forms.ModelChoiceField(
        queryset=ResolverEndpoint.objects.none(),
        required=False,
        help_text="Where forwarded queries leave from.",
    )

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outbound_endpoint"].queryset = ResolverEndpoint.objects.owned_by(user).filter(
            direction=ResolverEndpoint.Direction.OUTBOUND
        )

    def clean_target_ips(self) -> list[str]:
        return _lines(self.cleaned_data["target_ips"])


class NetworkChoiceForm(forms.Form):
    network = forms.ModelChoiceField(queryset=Network.objects.none())

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = Network.objects.owned_by(user)


class QueryLogConfigForm(forms.Form):
    name = forms.CharField(max_length=64)
    networks = forms.ModelMultipleChoiceField(queryset=Network.objects.none(), required=False)

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["networks"].queryset = Network.objects.owned_by(user)


class QueryLogSearchForm(forms.Form):
    network = forms.ModelChoiceField(queryset=Network.objects.none(), required=False)
    name = forms.CharField(required=False, max_length=255)
    type = forms.CharField(required=False, max_length=10)
    rcode = forms.CharField(required=False, max_length=10)
    client = forms.GenericIPAddressField(required=False)
    since = forms.DateTimeField(required=False, help_text="UTC, e.g. 2026-12-02 06:00")
    until = forms.DateTimeField(required=False)

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = Network.objects.owned_by(user)
