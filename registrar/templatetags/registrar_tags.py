from django import template

from registrar.services import format_cents

register = template.Library()


@register.filter
def cents(value: int | None) -> str:
    """Cents as dollars: 1250 → $12.50."""
    return "" if value is None else format_cents(int(value))
