"""Prices and search: the TLDs we sell, what each name costs and whether it is free."""

from dataclasses import dataclass, field

from registrar import names
from registrar.registry import commands
from registrar.services.session import client_id, registry_data

SUGGESTION_PATTERNS = ("get{label}", "{label}hq", "try{label}", "{label}app")


@dataclass(frozen=True)
class Offer:
    """One name's availability and price, as the registry's check answered it."""

    name: str
    unicode_name: str
    is_available: bool
    reason: str
    message: str
    yearly_price_cents: int | None = None
    min_years: int = 1
    max_years: int = 10


@dataclass
class SearchResult:
    query: str
    exact: Offer | None = None
    suggestions: list[Offer] = field(default_factory=list)
    problem: str = ""


def price_list() -> list[dict]:
    """The TLDs we sell with their yearly price and terms, from the registry."""
    return registry_data(commands.tld_list(client_id=client_id()))["tlds"]


def check_names(candidates: list[str]) -> list[Offer]:
    """Ask the registry about each name; answers Offers in the same order."""
    data = registry_data(commands.check_domains(client_id=client_id(), names_to_check=candidates))
    return [
        Offer(
            name=entry["name"],
            unicode_name=entry["unicode_name"],
            is_available=entry["available"],
            reason=entry["reason"],
            message=entry.get("message", ""),
            yearly_price_cents=entry.get("yearly_price_cents"),
            min_years=entry.get("min_years", 1),
            max_years=entry.get("max_years", 10),
        )
        for entry in data["results"]
    ]


def search_domains(*, query: str) -> SearchResult:
    """The name asked for (or the label under every TLD) plus suggestions across TLDs and prices."""
    text = (query or "").strip().lower().rstrip(".")
    result = SearchResult(query=query)
    if not text:
        result.problem = "Enter a name to search for, such as example.com or just example."
        return result
    tlds = [tld["name"] for tld in price_list()]
    try:
        if "." in text:
            parsed = names.parse_domain_name(text)
            label, first_tld = parsed.labels[0], parsed.tld
        else:
            label = names.parse_host_name(text).ascii
            first_tld = "com" if "com" in tlds or not tlds else tlds[0]
    except names.NameProblem as problem:
        result.problem = problem.message
        return result
    exact_name = f"{label}.{first_tld}"
    candidates = [exact_name] + [f"{label}.{tld}" for tld in tlds if tld != first_tld]
    for pattern in SUGGESTION_PATTERNS:
        variant = pattern.format(label=label)
        if len(variant) <= names.MAX_LABEL_OCTETS and not label.startswith("xn--"):
            candidates.append(f"{variant}.{first_tld}")
    offers = check_names(candidates)
    result.exact = offers[0]
    result.suggestions = [offer for offer in offers[1:] if offer.is_available]
    return result
