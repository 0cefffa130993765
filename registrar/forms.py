"""Console forms. They check shapes only; every rule lives in the services and the registry."""

from decimal import Decimal

from django import forms

from registrar import dnssec
from registrar.models import DomainContact
from registrar.services import new_idempotency_key


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Domain name",
        max_length=253,
        help_text="A name such as example.com, or just a word to see it under every TLD.",
    )


class AddToCartForm(forms.Form):
    name = forms.CharField(max_length=253, widget=forms.HiddenInput)
    years = forms.IntegerField(min_value=1, max_value=10, initial=1)


class CartItemForm(forms.Form):
    years = forms.IntegerField(min_value=1, max_value=10)


class ContactForm(forms.Form):
    name = forms.CharField(max_length=255)
    organisation = forms.CharField(max_length=255, required=False)
    email = forms.EmailField(label="E-mail address")
    phone = forms.CharField(
        max_length=20, required=False, help_text="With its country code: +14155550123 or +1.4155550123."
    )
    street = forms.CharField(max_length=255, required=False)
    city = forms.CharField(max_length=100, required=False)
    postal_code = forms.CharField(max_length=20, required=False)
    country_code = forms.CharField(
        label="Country code", min_length=2, max_length=2, help_text="ISO 3166 code, two letters: US, DE, KR."
    )

    def contact(self) -> dict:
        return {
            key: self.cleaned_data.get(key, "") for key in self.base_fields if key in ContactForm.base_fields
        }


class CheckoutForm(ContactForm):
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_idempotency_key())


class ContactChangeForm(ContactForm):
    role = forms.ChoiceField(choices=DomainContact.ROLES)


class TopUpForm(forms.Form):
    amount = forms.DecimalField(
        label="Amount (USD)", min_value=Decimal("1.00"), max_value=Decimal("10000.00"), decimal_places=2
    )
    card_number = forms.CharField(
        max_length=23, help_text="A test card: 4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined."
    )

    def amount_cents(self) -> int:
        return int(self.cleaned_data["amount"] * 100)


class RenewForm(forms.Form):
    years = forms.IntegerField(min_value=1, max_value=10, initial=1)
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_idempotency_key())


class RestoreForm(forms.Form):
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_idempotency_key())


class SettingsForm(forms.Form):
    auto_renew = forms.BooleanField(required=False, help_text="Renew for a year a few days before expiry.")
    transfer_lock = forms.BooleanField(
        required=False, help_text="clientTransferProhibited: no other registrar can take the domain."
    )
    privacy = forms.BooleanField(
        required=False, help_text="Withhold your contact details from RDAP and WHOIS look-ups."
    )


class NameServersForm(forms.Form):
    name_servers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="External name servers, one host name per line (two to thirteen).",
    )

    def hosts(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["name_servers"].splitlines() if line.strip()]


class DsForm(forms.Form):
    key_tag = forms.IntegerField(min_value=0, max_value=65535)
    algorithm = forms.TypedChoiceField(
        coerce=int,
        initial=13,
        choices=[(int(number), dnssec.algorithm_label(number)) for number in dnssec.DS_ALGORITHMS],
        help_text="Your zone's signing algorithm (IANA's list); 13 is the common choice.",
    )
    digest_type = forms.TypedChoiceField(
        coerce=int,
        initial=2,
        choices=[(int(number), dnssec.digest_type_label(number)) for number in dnssec.DS_DIGEST_TYPES],
        help_text="2 (SHA-256) takes 64 hexadecimal digits.",
    )
    digest = forms.CharField(max_length=128, help_text="Hexadecimal.")


class UseHostedZoneForm(forms.Form):
    hosted_zone = forms.IntegerField(required=False, min_value=1)


class GlueHostForm(forms.Form):
    name = forms.CharField(
        max_length=253, label="Host name", help_text="Under this domain, e.g. ns1.example.com."
    )
    addresses = forms.CharField(max_length=400, help_text="IPv4 or IPv6 addresses, separated by commas.")

    def address_list(self) -> list[str]:
        return [part.strip() for part in self.cleaned_data["addresses"].split(",") if part.strip()]


class GlueAddressesForm(forms.Form):
    addresses = forms.CharField(max_length=400, help_text="IPv4 or IPv6 addresses, separated by commas.")

    def address_list(self) -> list[str]:
        return [part.strip() for part in self.cleaned_data["addresses"].split(",") if part.strip()]


class TransferOutForm(forms.Form):
    auth_code = forms.CharField(
        max_length=64, help_text="The auth code, as you would give it to the other registrar."
    )


class TransferInForm(ContactForm):
    domain = forms.CharField(max_length=253, label="Domain name", help_text="A domain at Elsewhere Names.")
    auth_code = forms.CharField(max_length=64, help_text="From the registrar that holds the domain now.")
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    field_order = ["domain", "auth_code"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_idempotency_key())


class WhoisForm(forms.Form):
    name = forms.CharField(max_length=253, label="Domain name")


class RegistryClockForm(forms.Form):
    days = forms.IntegerField(
        min_value=1,
        max_value=800,
        initial=30,
        label="Advance by (days)",
        help_text="One day at a time, with each day's reminders, auto-renewals, expiries and purges.",
    )
