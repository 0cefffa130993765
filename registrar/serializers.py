"""API shapes. Validation of rules stays in the services and the registry; these check types."""

from rest_framework import serializers

from registrar.models import CartItem, Domain, DomainContact, LedgerEntry, Order, OrderLine


class OfferSerializer(serializers.Serializer):
    name = serializers.CharField()
    unicode_name = serializers.CharField()
    is_available = serializers.BooleanField()
    reason = serializers.CharField(help_text="Empty when available; else taken, reserved or invalid.")
    message = serializers.CharField()
    yearly_price_cents = serializers.IntegerField(allow_null=True)
    min_years = serializers.IntegerField()
    max_years = serializers.IntegerField()


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    exact = OfferSerializer(allow_null=True)
    suggestions = OfferSerializer(many=True)


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=253)


class TldPriceSerializer(serializers.Serializer):
    name = serializers.CharField()
    yearly_price_cents = serializers.IntegerField()
    min_years = serializers.IntegerField()
    max_years = serializers.IntegerField()


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    organisation = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    email = serializers.EmailField()
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    street = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    country_code = serializers.CharField(min_length=2, max_length=2)


class DomainContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = DomainContact
        fields = [
            "role",
            "handle",
            "name",
            "organisation",
            "email",
            "phone",
            "street",
            "city",
            "postal_code",
            "country_code",
        ]


class DomainSerializer(serializers.ModelSerializer):
    contacts = DomainContactSerializer(many=True, read_only=True)
    state = serializers.CharField(
        read_only=True,
        help_text="active, transfer_in, transfer_out, transferred_out, transfer_failed or deleted.",
    )
    hosted_zone = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="The hosted zone the domain goes with (yours, of the same name)."
    )
    uses_hosted_zone = serializers.BooleanField(
        read_only=True, help_text="True only while the registry delegates to that zone's four name servers."
    )

    class Meta:
        model = Domain
        fields = [
            "id",
            "name",
            "unicode_name",
            "state",
            "created_at",
            "expires_at",
            "auto_renew",
            "transfer_lock",
            "privacy",
            "registry_statuses",
            "name_servers",
            "uses_hosted_zone",
            "hosted_zone",
            "contacts",
        ]
        read_only_fields = fields


class DomainSettingsSerializer(serializers.Serializer):
    auto_renew = serializers.BooleanField(required=False)
    transfer_lock = serializers.BooleanField(required=False)
    privacy = serializers.BooleanField(required=False)


class RenewSerializer(serializers.Serializer):
    years = serializers.IntegerField(min_value=1, max_value=10)
    idempotency_key = serializers.CharField(max_length=64, required=False)


class RestoreSerializer(serializers.Serializer):
    idempotency_key = serializers.CharField(max_length=64, required=False)


class NameServersSerializer(serializers.Serializer):
    name_servers = serializers.ListField(
        child=serializers.CharField(max_length=253),
        required=False,
        help_text="External host names; leave out (or send use_hosted_zone) for the hosted zone's four.",
    )
    use_hosted_zone = serializers.BooleanField(required=False, default=False)
    hosted_zone = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="With use_hosted_zone: which of your zones of the domain's name, when you have several.",
    )

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("use_hosted_zone") and "name_servers" not in attrs:
            raise serializers.ValidationError(
                {"name_servers": ["Send name_servers, or use_hosted_zone: true."]}
            )
        return attrs


class DsSerializer(serializers.Serializer):
    key_tag = serializers.IntegerField(min_value=0, max_value=65535)
    algorithm = serializers.IntegerField(min_value=0, max_value=255)
    digest_type = serializers.IntegerField(min_value=0, max_value=255)
    digest = serializers.CharField(max_length=128)


class GlueHostSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=253)
    addresses = serializers.ListField(child=serializers.CharField(max_length=45), min_length=1)
    is_linked = serializers.BooleanField(
        read_only=True, help_text="A domain names this host as a name server, so it cannot be deleted."
    )


class GlueAddressesSerializer(serializers.Serializer):
    addresses = serializers.ListField(child=serializers.CharField(max_length=45), min_length=1)


class ContactChangeSerializer(ContactSerializer):
    role = serializers.ChoiceField(choices=[role for role, _ in DomainContact.ROLES])


class AuthCodeSerializer(serializers.Serializer):
    auth_code = serializers.CharField()


class AuthCodeRequestSerializer(serializers.Serializer):
    reset = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Must be true: make a new auth code (GET shows the current one).",
    )

    def validate_reset(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(
                "Send reset: true to make a new auth code; GET shows the current one."
            )
        return value


class TransferOutSerializer(serializers.Serializer):
    auth_code = serializers.CharField(max_length=64)


class TransferInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=253)
    auth_code = serializers.CharField(max_length=64)
    idempotency_key = serializers.CharField(max_length=64)
    contact = ContactSerializer()


class RegistryInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    unicode_name = serializers.CharField()
    tld = serializers.CharField()
    sponsor = serializers.CharField()
    statuses = serializers.ListField(child=serializers.CharField())
    name_servers = serializers.ListField(child=serializers.CharField())
    hosts = GlueHostSerializer(many=True)
    ds = DsSerializer(many=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class CartItemSerializer(serializers.ModelSerializer):
    price_cents = serializers.IntegerField(read_only=True)
    years = serializers.IntegerField(min_value=1, max_value=10, default=1)

    class Meta:
        model = CartItem
        fields = ["id", "name", "unicode_name", "years", "yearly_price_cents", "price_cents", "added_at"]
        read_only_fields = ["id", "unicode_name", "yearly_price_cents", "price_cents", "added_at"]


class CartItemUpdateSerializer(serializers.Serializer):
    years = serializers.IntegerField(min_value=1, max_value=10)


class CheckoutSerializer(serializers.Serializer):
    idempotency_key = serializers.CharField(
        max_length=64, help_text="Any unique string per purchase; repeating it returns the first order."
    )
    contact = ContactSerializer()


class OrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = ["kind", "name", "years", "price_cents", "domain"]


class OrderSerializer(serializers.ModelSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = ["id", "idempotency_key", "total_cents", "created_at", "lines"]


class LedgerEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "kind",
            "amount_cents",
            "balance_after_cents",
            "description",
            "order",
            "domain",
            "created_at",
        ]


class TopUpSerializer(serializers.Serializer):
    amount_cents = serializers.IntegerField()
    card_number = serializers.CharField(max_length=23)


class BalanceSerializer(serializers.Serializer):
    balance_cents = serializers.IntegerField()
