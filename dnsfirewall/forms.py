"""Console forms of the DNS Firewall. Rules are the services'; the forms only gather input."""

from django import forms

from dnsfirewall.models import FirewallDomainList, FirewallRule
from zones.models import Network

MAX_IMPORT_BYTES = 4 * 1024 * 1024


class DomainListForm(forms.Form):
    name = forms.CharField(max_length=64)
    domains = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text="One domain a line; *.example.com matches every name below example.com.",
    )
    file = forms.FileField(
        required=False, label="Import from a file", help_text="A text file, one domain a line (up to 4 MB)."
    )
    operation = forms.ChoiceField(
        choices=[
            ("REPLACE", "Replace the list's domains"),
            ("ADD", "Add to them"),
            ("REMOVE", "Remove these"),
        ],
        initial="REPLACE",
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The file is larger than 4 MB.")
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text.") from None

    def domain_lines(self) -> list[str]:
        """The typed lines followed by the file's."""
        lines = self.cleaned_data.get("domains", "").splitlines()
        return lines + (self.cleaned_data.get("file") or "").splitlines()


class RuleGroupForm(forms.Form):
    name = forms.CharField(max_length=64)


class RuleForm(forms.Form):
    name = forms.CharField(max_length=64)
    priority = forms.IntegerField(min_value=1, help_text="Lower first: the first matching rule decides.")
    domain_list = forms.ModelChoiceField(queryset=FirewallDomainList.objects.none())
    action = forms.ChoiceField(choices=FirewallRule.Action.choices)
    block_response = forms.ChoiceField(
        choices=[("", "—"), *FirewallRule.BlockResponse.choices], required=False, label="Block response"
    )
    override_type = forms.ChoiceField(
        choices=[("", "—"), ("CNAME", "CNAME"), ("A", "A"), ("AAAA", "AAAA")], required=False
    )
    override_value = forms.CharField(max_length=255, required=False, help_text="For an override: the answer.")
    override_ttl = forms.IntegerField(min_value=0, initial=60, label="TTL")

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domain_list"].queryset = FirewallDomainList.objects.owned_by(user)


class AssociationForm(forms.Form):
    network = forms.ModelChoiceField(queryset=Network.objects.none())
    priority = forms.IntegerField(min_value=1, help_text="Among the network's rule groups, lower first.")

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = Network.objects.owned_by(user)
