"""Template filters the console's pages share."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def dns_name(name: object) -> str:
    """A DNS name that a narrow column may wrap only after a dot, never inside a label.

    Each label with its dot is kept whole (a span the stylesheet does not wrap, so not even at
    a hyphen) and a <wbr> after each dot is the only place a line may break.
    """
    text = str(name)
    labels = [label + "." for label in text.split(".")[:-1]] + [text.split(".")[-1]]
    spans = format_html_join(
        mark_safe("<wbr>"), '<span class="label">{}</span>', ((label,) for label in labels if label)
    )
    return format_html('<span class="dns-name">{}</span>', spans)
