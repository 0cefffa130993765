"""RDAP (RFC 9083) answers for domain look-ups, with contact data redacted under privacy.

The registry answers what it holds; contacts whose registrar asked for privacy appear with
their personal fields removed and listed under `redacted` (RFC 9537).
"""

from datetime import UTC, datetime

from django.conf import settings

from registrar import names
from registrar.registry import clock
from registrar.registry import models as m

CONFORMANCE = ["rdap_level_0", "redacted"]
# EPP status → RDAP status (RFC 8056 §2).
STATUS_MAP = {
    m.OK: "active",
    m.CLIENT_HOLD: "client hold",
    m.CLIENT_TRANSFER_PROHIBITED: "client transfer prohibited",
    m.CLIENT_DELETE_PROHIBITED: "client delete prohibited",
    m.CLIENT_UPDATE_PROHIBITED: "client update prohibited",
    m.PENDING_TRANSFER: "pending transfer",
    m.PENDING_DELETE: "pending delete",
    m.REDEMPTION_PERIOD: "redemption period",
}
REDACTED_TEXT = "REDACTED FOR PRIVACY"
NOTICE = {
    "title": "Terms of Use",
    "description": [
        "This is a mock registry run by Nameplate for development and demonstration.",
        "Contact data is withheld when the registrant's registrar asked for privacy protection.",
    ],
}


def _time(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _vcard(entries: list[list]) -> list:
    return ["vcard", [["version", {}, "text", "4.0"], *entries]]


def _registrar_entity(registrar: m.Registrar) -> dict:
    entries = [["fn", {}, "text", registrar.name]]
    if registrar.abuse_email:
        entries.append(["email", {}, "text", registrar.abuse_email])
    return {
        "objectClassName": "entity",
        "handle": str(registrar.iana_id),
        "roles": ["registrar"],
        "publicIds": [{"type": "IANA Registrar ID", "identifier": str(registrar.iana_id)}],
        "vcardArray": _vcard(entries),
    }


def _contact_entity(contact: m.Contact, roles: list[str], redacted: list[dict]) -> dict:
    if contact.is_private:
        entries = [
            ["fn", {}, "text", REDACTED_TEXT],
            ["adr", {"cc": contact.country_code}, "text", ["", "", "", "", "", "", ""]],
        ]
        for role in roles:
            for label in ("Name", "Organization", "Street", "City", "Postal Code", "Phone", "Email"):
                redacted.append(
                    {
                        "name": {"description": f"{role.title()} {label}"},
                        "method": "removal",
                        "reason": {"description": "Privacy protection requested by the registrant"},
                    }
                )
        handle = REDACTED_TEXT
    else:
        address = ["", "", contact.street, contact.city, "", contact.postal_code, ""]
        entries = [
            ["fn", {}, "text", contact.name],
            ["org", {}, "text", contact.organisation],
            ["adr", {"cc": contact.country_code}, "text", address],
            ["email", {}, "text", contact.email],
        ]
        if contact.phone:
            entries.append(["tel", {"type": "voice"}, "uri", f"tel:{contact.phone}"])
        handle = contact.handle
    return {"objectClassName": "entity", "handle": handle, "roles": roles, "vcardArray": _vcard(entries)}


def error_response(code: int, title: str, description: str) -> dict:
    """An RDAP error body (RFC 9083 §6)."""
    return {"rdapConformance": CONFORMANCE, "errorCode": code, "title": title, "description": [description]}


def domain_response(name: str, *, now: datetime | None = None) -> tuple[int, dict]:
    """The HTTP status and RDAP body for a domain look-up: 200, 400 for a bad name, 404 if unknown."""
    now = now or clock.now()
    try:
        parsed = names.parse_domain_name(name)
    except names.NameProblem as problem:
        return 400, error_response(400, "Bad Request", problem.message)
    domain = (
        m.DomainObject.objects.select_related("sponsor", "registrant", "admin", "tech")
        .prefetch_related("ds_records")
        .filter(name=parsed.ascii)
        .first()
    )
    if domain is None:
        return 404, error_response(404, "Not Found", f"{parsed.unicode} is not registered at this registry.")
    redacted: list[dict] = []
    by_contact: dict[int, tuple[m.Contact, list[str]]] = {}
    for role, contact in (
        ("registrant", domain.registrant),
        ("administrative", domain.admin),
        ("technical", domain.tech),
    ):
        if contact is not None:
            by_contact.setdefault(contact.pk, (contact, []))[1].append(role)
    entities = [_registrar_entity(domain.sponsor)]
    entities += [_contact_entity(contact, roles, redacted) for contact, roles in by_contact.values()]
    glue = dict(m.Host.objects.filter(name__in=domain.name_servers).values_list("name", "addresses"))
    nameservers = []
    for host in domain.name_servers:
        entry = {"objectClassName": "nameserver", "ldhName": host}
        addresses = glue.get(host) or []
        if addresses:
            entry["ipAddresses"] = {
                "v4": [a for a in addresses if ":" not in a],
                "v6": [a for a in addresses if ":" in a],
            }
        nameservers.append(entry)
    ds = [
        {"keyTag": r.key_tag, "algorithm": r.algorithm, "digestType": r.digest_type, "digest": r.digest}
        for r in domain.ds_records.all()
    ]
    events = [
        {"eventAction": "registration", "eventDate": _time(domain.created_at)},
        {"eventAction": "expiration", "eventDate": _time(domain.expires_at)},
        {"eventAction": "last changed", "eventDate": _time(domain.updated_at)},
    ]
    if domain.transferred_at:
        events.append({"eventAction": "transfer", "eventDate": _time(domain.transferred_at)})
    events.append({"eventAction": "last update of RDAP database", "eventDate": _time(now)})
    url = f"{settings.SITE_URL}/rdap/domain/{domain.name}"
    body = {
        "rdapConformance": CONFORMANCE,
        "objectClassName": "domain",
        "handle": f"{domain.pk}_DOMAIN_{domain.tld.name.upper()}",
        "ldhName": domain.name,
        "status": [STATUS_MAP.get(status, status) for status in domain.status_values()],
        "events": events,
        "entities": entities,
        "nameservers": nameservers,
        "secureDNS": {"delegationSigned": bool(ds), "dsData": ds},
        "links": [{"value": url, "rel": "self", "href": url, "type": "application/rdap+json"}],
        "notices": [NOTICE],
    }
    if parsed.is_idn:
        body["unicodeName"] = parsed.unicode
    if redacted:
        body["redacted"] = redacted
    return 200, body
