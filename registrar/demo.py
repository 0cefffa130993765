"""Demo data: the demo user owns two domains, bought through the normal flow."""

from typing import Any

from registrar import services
from registrar.models import Domain
from registrar.registry.seed import ensure_registry_seed

DEMO_DOMAINS = ("nameplate-demo.com", "nameplate-demo.dev")
DEMO_CARD = "4242 4242 4242 4242"
DEMO_CONTACT = {
    "name": "Demo User",
    "email": "demo@nameplate.test",
    "city": "Seoul",
    "country_code": "KR",
}


def load_demo_domains(user: Any) -> list[Domain]:
    """Top up the demo user's ledger and buy the demo domains they do not hold yet; idempotent."""
    ensure_registry_seed()
    missing = [
        name
        for name in DEMO_DOMAINS
        if not Domain.objects.filter(owner=user, name=name, state=Domain.ACTIVE).exists()
    ]
    if missing:
        offers = [offer for offer in services.check_names(missing) if offer.is_available]
        needed = sum(offer.yearly_price_cents or 0 for offer in offers)
        shortfall = needed - services.balance_cents(user)
        if shortfall > 0:
            # Also next year's price, so the demo balance can pay the first auto-renewal.
            services.top_up(owner=user, amount_cents=shortfall + needed, card_number=DEMO_CARD)
        for offer in offers:
            services.add_to_cart(owner=user, name=offer.name, years=1)
        if offers:
            services.checkout(
                owner=user,
                idempotency_key=f"demo-{user.pk}-{len(offers)}-{offers[0].name}",
                contact=DEMO_CONTACT,
            )
    return list(Domain.objects.filter(owner=user, name__in=DEMO_DOMAINS, state=Domain.ACTIVE))
