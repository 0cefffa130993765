"""The cart: names an owner means to buy, each with its term and the price when added."""

from typing import Any

from django.db import transaction

from registrar.errors import NameUnavailable, RegistrarError
from registrar.models import CartItem
from registrar.services.pricing import Offer, check_names, price_list

MAX_CART_ITEMS = 20


def _check_years(offer: Offer, years: int) -> None:
    if not offer.min_years <= years <= offer.max_years:
        raise RegistrarError(
            f"years: {offer.unicode_name} can be registered for {offer.min_years} to {offer.max_years} years",
            field="years",
        )


def add_to_cart(*, owner: Any, name: str, years: int = 1) -> CartItem:
    """Put an available name in the cart (or change its years if it is there already).

    Raises NameUnavailable when the registry says taken, reserved or invalid, RegistrarError
    for a term out of range or a full cart.
    """
    offer = check_names([name])[0]
    if not offer.is_available:
        raise NameUnavailable(offer.message, field="name")
    _check_years(offer, years)
    with transaction.atomic():
        item = CartItem.objects.filter(owner=owner, name=offer.name).first()
        if item is not None:
            item.years = years
            item.yearly_price_cents = offer.yearly_price_cents or 0
            item.save(update_fields=["years", "yearly_price_cents"])
            return item
        if CartItem.objects.filter(owner=owner).count() >= MAX_CART_ITEMS:
            raise RegistrarError(f"Your cart holds at most {MAX_CART_ITEMS} names.", field="name")
        return CartItem.objects.create(
            owner=owner,
            name=offer.name,
            unicode_name=offer.unicode_name,
            years=years,
            yearly_price_cents=offer.yearly_price_cents or 0,
        )


def update_cart_item(*, item: CartItem, years: int) -> CartItem:
    """Change the term of a cart item. Raises RegistrarError for a term out of range."""
    tld = next((t for t in price_list() if t["name"] == item.name.rsplit(".", 1)[-1]), None)
    if tld is None or not tld["min_years"] <= years <= tld["max_years"]:
        low, high = (tld["min_years"], tld["max_years"]) if tld else (1, 10)
        raise RegistrarError(
            f"years: {item.unicode_name} can be registered for {low} to {high} years", "years"
        )
    item.years = years
    item.save(update_fields=["years"])
    return item


def remove_from_cart(*, item: CartItem) -> None:
    """Take a name out of the cart."""
    item.delete()


def cart_total_cents(owner: Any) -> int:
    return sum(item.price_cents for item in CartItem.objects.filter(owner=owner))
