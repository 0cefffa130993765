"""The registry's command interface, shaped after EPP (RFC 5730-5733).

Every command names the calling registrar by its `client_id` (an EPP login), validates all
of its input before changing anything, runs in one transaction, and answers with a `Result`:
a four-digit code and message from RFC 5730 §3 plus the response data. Codes below 2000
mean success; a refusal changes nothing. This module is the only way the registrar side
reaches the registry's tables.
"""

import dataclasses
import functools
import ipaddress
import secrets
import string
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

import dns.exception
import dns.rdata
import dns.rdataclass
import dns.rdatatype
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from registrar import names
from registrar.registry import models as m
from registrar.registry import zonedata

# Result codes (RFC 5730 §3).
OK = 1000
OK_PENDING = 1001
UNKNOWN_COMMAND = 2000
SYNTAX_ERROR = 2001
PARAMETER_MISSING = 2003
PARAMETER_RANGE = 2004
PARAMETER_SYNTAX = 2005
NOT_ELIGIBLE_FOR_RENEWAL = 2105
NOT_ELIGIBLE_FOR_TRANSFER = 2106
AUTHENTICATION_ERROR = 2200
AUTHORIZATION_ERROR = 2201
INVALID_AUTH_INFO = 2202
PENDING_TRANSFER = 2300
NOT_PENDING_TRANSFER = 2301
OBJECT_EXISTS = 2302
OBJECT_DOES_NOT_EXIST = 2303
STATUS_PROHIBITS = 2304
ASSOCIATION_PROHIBITS = 2305
POLICY_ERROR = 2306
COMMAND_FAILED = 2400

MESSAGES = {
    OK: "Command completed successfully",
    OK_PENDING: "Command completed successfully; action pending",
    PARAMETER_MISSING: "Required parameter missing",
    PARAMETER_RANGE: "Parameter value range error",
    PARAMETER_SYNTAX: "Parameter value syntax error",
    NOT_ELIGIBLE_FOR_RENEWAL: "Object is not eligible for renewal",
    NOT_ELIGIBLE_FOR_TRANSFER: "Object is not eligible for transfer",
    AUTHENTICATION_ERROR: "Authentication error",
    AUTHORIZATION_ERROR: "Authorization error",
    INVALID_AUTH_INFO: "Invalid authorization information",
    PENDING_TRANSFER: "Object pending transfer",
    NOT_PENDING_TRANSFER: "Object not pending transfer",
    OBJECT_EXISTS: "Object exists",
    OBJECT_DOES_NOT_EXIST: "Object does not exist",
    STATUS_PROHIBITS: "Object status prohibits operation",
    ASSOCIATION_PROHIBITS: "Object association prohibits operation",
    POLICY_ERROR: "Parameter value policy error",
    COMMAND_FAILED: "Command failed",
}

MAX_NAME_SERVERS = 13
AUTH_CODE_ALPHABET = string.ascii_letters + string.digits + "-_.!+="


@dataclasses.dataclass(frozen=True)
class Result:
    """A command's answer: `code` and `message` as in EPP, `reason` says why in plain words."""

    code: int
    message: str
    reason: str = ""
    field: str | None = None
    data: dict = dataclasses.field(default_factory=dict)

    @property
    def is_success(self) -> bool:
        return self.code < 2000


class Refused(Exception):
    """Raised inside a command to roll it back and answer with `result`."""

    def __init__(self, code: int, reason: str, field_name: str | None = None) -> None:
        super().__init__(reason)
        self.result = Result(code=code, message=MESSAGES[code], reason=reason, field=field_name)


def _ok(code: int = OK, **data: Any) -> Result:
    return Result(code=code, message=MESSAGES[code], data=data)


def command(func: Callable[..., Result]) -> Callable[..., Result]:
    """Run a command in one transaction; a Refused rolls everything back into a Result."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Result:
        try:
            with transaction.atomic():
                return func(*args, **kwargs)
        except Refused as refusal:
            return refusal.result

    return wrapper


# ---- helpers --------------------------------------------------------------------------------


def _login(client_id: str) -> m.Registrar:
    registrar = m.Registrar.objects.filter(client_id=client_id).first()
    if registrar is None:
        raise Refused(AUTHENTICATION_ERROR, f"{client_id} is not a registrar known to this registry")
    return registrar


def _parse_domain(name: str) -> names.DomainName:
    try:
        return names.parse_domain_name(name)
    except names.NameProblem as problem:
        raise Refused(PARAMETER_SYNTAX, problem.message, "name") from None


def _domain_for_update(name: str) -> m.DomainObject:
    parsed = _parse_domain(name)
    domain = m.DomainObject.objects.select_for_update().filter(name=parsed.ascii).first()
    if domain is None:
        raise Refused(OBJECT_DOES_NOT_EXIST, f"{parsed.unicode} is not registered", "name")
    return domain


def _sponsored(name: str, registrar: m.Registrar) -> m.DomainObject:
    domain = _domain_for_update(name)
    if domain.sponsor_id != registrar.pk:
        raise Refused(AUTHORIZATION_ERROR, f"{domain.name} is sponsored by another registrar", "name")
    return domain


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February in a year that has none
        return moment.replace(year=moment.year + years, day=28)


def new_auth_code() -> str:
    """A fresh random auth code (EPP authInfo password), 16 characters."""
    return "".join(secrets.choice(AUTH_CODE_ALPHABET) for _ in range(16))


def _check_auth_code(auth_code: str) -> str:
    if not 8 <= len(auth_code) <= 32 or any(char not in AUTH_CODE_ALPHABET for char in auth_code):
        raise Refused(
            PARAMETER_SYNTAX,
            "auth code: use 8 to 32 letters, digits or - _ . ! + =",
            "auth_code",
        )
    return auth_code


def _check_years(tld: m.Tld, years: int, field_name: str = "years") -> None:
    if not isinstance(years, int) or not tld.min_years <= years <= tld.max_years:
        raise Refused(
            PARAMETER_RANGE,
            f"years: .{tld.name} is registered for {tld.min_years} to {tld.max_years} years, not {years}",
            field_name,
        )


def _tld_for(parsed: names.DomainName) -> m.Tld:
    tld = m.Tld.objects.filter(name=parsed.tld).first()
    if tld is None:
        raise Refused(
            POLICY_ERROR, f"{parsed.unicode}: .{parsed.tld} is not a TLD this registry runs", "name"
        )
    return tld


def _registry_tld_of(host: str) -> str | None:
    tld = host.rsplit(".", 1)[-1]
    return tld if m.Tld.objects.filter(name=tld).exists() else None


def _check_name_servers(values: Iterable[str], domain_name: str) -> list[str]:
    """Parse the name-server list and make sure hosts at this registry exist with glue."""
    hosts: list[str] = []
    for value in values:
        try:
            host = names.parse_host_name(value).ascii
        except names.NameProblem as problem:
            raise Refused(PARAMETER_SYNTAX, f"name servers: {problem.message}", "name_servers") from None
        if host in hosts:
            raise Refused(PARAMETER_SYNTAX, f"name servers: {host} is listed twice", "name_servers")
        if len(host.split(".")) < 2:
            raise Refused(PARAMETER_SYNTAX, f"name servers: {host} is not a host name", "name_servers")
        hosts.append(host)
    if len(hosts) > MAX_NAME_SERVERS:
        raise Refused(
            PARAMETER_RANGE, f"name servers: at most {MAX_NAME_SERVERS}, not {len(hosts)}", "name_servers"
        )
    for host in hosts:
        if _registry_tld_of(host) is None:
            continue
        # A host under one of our TLDs is a host object here (RFC 5732); one under the
        # domain itself needs glue, or resolvers could never reach it.
        record = m.Host.objects.filter(name=host).first()
        if record is None:
            raise Refused(
                ASSOCIATION_PROHIBITS,
                f"name servers: {host} is not a host object at this registry; create it first",
                "name_servers",
            )
        if names.is_subdomain(host, domain_name) and not record.addresses:
            raise Refused(
                ASSOCIATION_PROHIBITS,
                f"name servers: {host} lies under {domain_name} and has no glue addresses",
                "name_servers",
            )
    return hosts


def _check_addresses(values: Iterable[str]) -> list[str]:
    addresses = []
    for value in values:
        try:
            address = ipaddress.ip_address(str(value).strip())
        except ValueError:
            raise Refused(
                PARAMETER_SYNTAX, f"addresses: {value} is not an IPv4 or IPv6 address", "addresses"
            ) from None
        if str(address) not in addresses:
            addresses.append(str(address))
    return addresses


def _check_ds(values: Iterable[dict]) -> list[dict]:
    records = []
    for value in values:
        parts = (value.get(key) for key in ("key_tag", "algorithm", "digest_type", "digest"))
        text = " ".join(str(part) for part in parts)
        try:
            rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DS, text)
        except (dns.exception.DNSException, ValueError) as error:
            raise Refused(
                PARAMETER_SYNTAX, f"DS record: {text} is not valid DS data ({error})", "ds"
            ) from None
        records.append(
            {
                "key_tag": rdata.key_tag,
                "algorithm": int(rdata.algorithm),
                "digest_type": rdata.digest_type,
                "digest": rdata.digest.hex().upper(),
            }
        )
    return records


def _contact(handle: str | None, registrar: m.Registrar, field_name: str) -> m.Contact | None:
    if not handle:
        return None
    contact = m.Contact.objects.filter(handle=handle).first()
    if contact is None:
        raise Refused(OBJECT_DOES_NOT_EXIST, f"{field_name}: contact {handle} does not exist", field_name)
    if contact.sponsor_id != registrar.pk:
        raise Refused(
            AUTHORIZATION_ERROR, f"{field_name}: contact {handle} belongs to another registrar", field_name
        )
    return contact


def _touch(domain: m.DomainObject, now: datetime) -> None:
    domain.updated_at = now
    domain.save()
    zonedata.bump_serial(domain.tld.name)


def domain_data(domain: m.DomainObject, *, with_auth_code: bool) -> dict:
    """The data an info response carries for `domain`."""
    data = {
        "name": domain.name,
        "unicode_name": names.parse_host_name(domain.name).unicode,
        "tld": domain.tld.name,
        "sponsor": domain.sponsor.client_id,
        "statuses": domain.status_values(),
        "registrant": domain.registrant.handle,
        "admin": domain.admin.handle if domain.admin else "",
        "tech": domain.tech.handle if domain.tech else "",
        "name_servers": list(domain.name_servers),
        "hosts": [{"name": h.name, "addresses": list(h.addresses)} for h in domain.hosts.all()],
        "ds": [
            {"key_tag": d.key_tag, "algorithm": d.algorithm, "digest_type": d.digest_type, "digest": d.digest}
            for d in domain.ds_records.all()
        ],
        "created_at": domain.created_at,
        "updated_at": domain.updated_at,
        "expires_at": domain.expires_at,
        "transferred_at": domain.transferred_at,
    }
    if with_auth_code:
        data["auth_code"] = domain.auth_code
    return data


# ---- queries ----------------------------------------------------------------------------------


@command
def tld_list(*, client_id: str) -> Result:
    """The TLDs on sale with their yearly price and terms."""
    _login(client_id)
    tlds = [
        {
            "name": tld.name,
            "yearly_price_cents": tld.yearly_price_cents,
            "min_years": tld.min_years,
            "max_years": tld.max_years,
        }
        for tld in m.Tld.objects.all()
    ]
    return _ok(tlds=tlds)


@command
def check_domains(*, client_id: str, names_to_check: Iterable[str]) -> Result:
    """Availability of each name, with a reason (taken, reserved, invalid) and the yearly fee."""
    _login(client_id)
    results = []
    for text in names_to_check:
        entry: dict[str, Any] = {"name": text, "unicode_name": text, "available": False, "reason": ""}
        try:
            parsed = names.parse_domain_name(text)
        except names.NameProblem as problem:
            entry.update(reason="invalid", message=problem.message)
            results.append(entry)
            continue
        entry.update(name=parsed.ascii, unicode_name=parsed.unicode)
        tld = m.Tld.objects.filter(name=parsed.tld).first()
        if tld is None:
            entry.update(reason="invalid", message=f"{parsed.unicode}: .{parsed.tld} is not a TLD we offer")
        elif parsed.labels[0] in tld.reserved_labels:
            entry.update(
                reason="reserved", message=f"{parsed.unicode} is reserved by the .{tld.name} registry"
            )
        elif m.DomainObject.objects.filter(name=parsed.ascii).exists():
            entry.update(reason="taken", message=f"{parsed.unicode} is already registered")
        else:
            entry.update(available=True, message=f"{parsed.unicode} is available")
        if tld is not None:
            entry.update(
                yearly_price_cents=tld.yearly_price_cents, min_years=tld.min_years, max_years=tld.max_years
            )
        results.append(entry)
    return _ok(results=results)


@command
def info_domain(*, client_id: str, name: str, auth_code: str = "") -> Result:
    """A domain's data; the auth code only to its sponsor, others need the auth code to look."""
    registrar = _login(client_id)
    parsed = _parse_domain(name)
    domain = (
        m.DomainObject.objects.select_related("tld", "sponsor", "registrant")
        .filter(name=parsed.ascii)
        .first()
    )
    if domain is None:
        raise Refused(OBJECT_DOES_NOT_EXIST, f"{parsed.unicode} is not registered", "name")
    is_sponsor = domain.sponsor_id == registrar.pk
    if not is_sponsor and not secrets.compare_digest(auth_code or "", domain.auth_code):
        raise Refused(AUTHORIZATION_ERROR, f"{domain.name} is sponsored by another registrar", "name")
    return _ok(**domain_data(domain, with_auth_code=is_sponsor))


# ---- contacts and hosts ---------------------------------------------------------------------


@command
def create_contact(
    *,
    client_id: str,
    name: str,
    email: str,
    country_code: str,
    organisation: str = "",
    phone: str = "",
    street: str = "",
    city: str = "",
    postal_code: str = "",
    is_private: bool = True,
) -> Result:
    """Create a contact object; the answer carries its new handle."""
    registrar = _login(client_id)
    if not name.strip():
        raise Refused(PARAMETER_MISSING, "name: a contact needs a name", "name")
    if "@" not in email:
        raise Refused(PARAMETER_SYNTAX, f"email: {email} is not an e-mail address", "email")
    if len(country_code) != 2 or not country_code.isalpha():
        raise Refused(
            PARAMETER_SYNTAX, f"country: {country_code} is not a two-letter country code", "country_code"
        )
    contact = m.Contact.objects.create(
        handle="C" + secrets.token_hex(6).upper(),
        sponsor=registrar,
        name=name.strip(),
        organisation=organisation,
        email=email,
        phone=phone,
        street=street,
        city=city,
        postal_code=postal_code,
        country_code=country_code.upper(),
        is_private=is_private,
    )
    return _ok(handle=contact.handle)


@command
def update_contact(*, client_id: str, handle: str, **changes: Any) -> Result:
    """Change a contact's fields (those create_contact takes)."""
    registrar = _login(client_id)
    contact = _contact(handle, registrar, "handle")
    allowed = {
        "name",
        "email",
        "country_code",
        "organisation",
        "phone",
        "street",
        "city",
        "postal_code",
        "is_private",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise Refused(SYNTAX_ERROR, f"unknown contact fields: {', '.join(sorted(unknown))}")
    for key, value in changes.items():
        setattr(contact, key, value)
    contact.save()
    return _ok(handle=contact.handle)


@command
def create_host(
    *, client_id: str, name: str, addresses: Iterable[str] = (), now: datetime | None = None
) -> Result:
    """Create a host object; hosts under a domain here need that domain's sponsor and glue."""
    registrar = _login(client_id)
    try:
        host_name = names.parse_host_name(name).ascii
    except names.NameProblem as problem:
        raise Refused(PARAMETER_SYNTAX, problem.message, "name") from None
    checked = _check_addresses(addresses)
    if m.Host.objects.filter(name=host_name).exists():
        raise Refused(OBJECT_EXISTS, f"host {host_name} already exists", "name")
    superordinate = None
    if _registry_tld_of(host_name) is not None:
        parent = ".".join(host_name.split(".")[-2:])
        superordinate = m.DomainObject.objects.filter(name=parent).first()
        if superordinate is None or superordinate.sponsor_id != registrar.pk:
            # An external host (RFC 5732 §1.1): anyone may name it, only its domain's sponsor gives it glue.
            if checked:
                whose = "is not registered" if superordinate is None else "is sponsored by another registrar"
                raise Refused(AUTHORIZATION_ERROR, f"host {host_name}: {parent} {whose}", "addresses")
            superordinate = None
        elif not checked:
            raise Refused(
                PARAMETER_MISSING, f"host {host_name} lies under {parent} and needs addresses", "addresses"
            )
    elif checked:
        raise Refused(
            POLICY_ERROR, f"host {host_name} is outside this registry; it takes no addresses", "addresses"
        )
    try:
        with transaction.atomic():
            m.Host.objects.create(
                name=host_name,
                sponsor=registrar,
                superordinate=superordinate,
                addresses=checked,
                created_at=_now(now),
            )
    except IntegrityError:
        raise Refused(OBJECT_EXISTS, f"host {host_name} already exists", "name") from None
    if superordinate is not None:
        zonedata.bump_serial(superordinate.tld.name)
    return _ok(name=host_name, addresses=checked)


def _sponsored_host(name: str, registrar: m.Registrar) -> m.Host:
    try:
        host_name = names.parse_host_name(name).ascii
    except names.NameProblem as problem:
        raise Refused(PARAMETER_SYNTAX, problem.message, "name") from None
    host = m.Host.objects.select_for_update().filter(name=host_name).first()
    if host is None:
        raise Refused(OBJECT_DOES_NOT_EXIST, f"host {host_name} does not exist", "name")
    if host.sponsor_id != registrar.pk:
        raise Refused(AUTHORIZATION_ERROR, f"host {host_name} is sponsored by another registrar", "name")
    return host


@command
def update_host(*, client_id: str, name: str, addresses: Iterable[str]) -> Result:
    """Replace a host object's addresses (its glue)."""
    registrar = _login(client_id)
    host = _sponsored_host(name, registrar)
    checked = _check_addresses(addresses)
    if host.superordinate_id is not None and not checked:
        raise Refused(PARAMETER_MISSING, f"host {host.name} needs at least one address", "addresses")
    if host.superordinate_id is None and checked:
        raise Refused(
            POLICY_ERROR, f"host {host.name} is outside this registry; it takes no addresses", "addresses"
        )
    host.addresses = checked
    host.save()
    if host.superordinate_id is not None:
        zonedata.bump_serial(host.superordinate.tld.name)
    return _ok(name=host.name, addresses=checked)


@command
def delete_host(*, client_id: str, name: str) -> Result:
    """Delete a host object that no domain uses as a name server."""
    registrar = _login(client_id)
    host = _sponsored_host(name, registrar)
    users = [
        d.name for d in m.DomainObject.objects.only("name", "name_servers") if host.name in d.name_servers
    ]
    if users:
        raise Refused(
            ASSOCIATION_PROHIBITS, f"host {host.name} is a name server of {', '.join(users)}", "name"
        )
    tld = host.superordinate.tld.name if host.superordinate_id else None
    host.delete()
    if tld:
        zonedata.bump_serial(tld)
    return _ok(name=host.name)


# ---- domains --------------------------------------------------------------------------------


@command
def create_domain(
    *,
    client_id: str,
    name: str,
    years: int,
    registrant: str,
    admin: str = "",
    tech: str = "",
    name_servers: Iterable[str] = (),
    auth_code: str = "",
    now: datetime | None = None,
) -> Result:
    """Register a name; a name already taken (even by a racing request) answers 2302."""
    registrar = _login(client_id)
    now = _now(now)
    parsed = _parse_domain(name)
    tld = _tld_for(parsed)
    if parsed.labels[0] in tld.reserved_labels:
        raise Refused(POLICY_ERROR, f"{parsed.unicode} is reserved by the .{tld.name} registry", "name")
    _check_years(tld, years)
    contacts = {
        role: _contact(handle, registrar, role)
        for role, handle in (("registrant", registrant), ("admin", admin), ("tech", tech))
    }
    if contacts["registrant"] is None:
        raise Refused(PARAMETER_MISSING, "registrant: a domain needs a registrant contact", "registrant")
    servers = _check_name_servers(name_servers, parsed.ascii)
    code = _check_auth_code(auth_code) if auth_code else new_auth_code()
    try:
        # The unique name decides a race: the loser's insert fails here once the winner commits.
        with transaction.atomic():
            domain = m.DomainObject.objects.create(
                name=parsed.ascii,
                tld=tld,
                sponsor=registrar,
                registrant=contacts["registrant"],
                admin=contacts["admin"],
                tech=contacts["tech"],
                statuses=[],
                auth_code=code,
                name_servers=servers,
                created_at=now,
                updated_at=now,
                expires_at=_add_years(now, years),
            )
    except IntegrityError:
        raise Refused(OBJECT_EXISTS, f"{parsed.unicode} is already registered", "name") from None
    zonedata.bump_serial(tld.name)
    return _ok(name=domain.name, created_at=domain.created_at, expires_at=domain.expires_at)


@command
def renew_domain(
    *, client_id: str, name: str, current_expires_at: datetime, years: int, now: datetime | None = None
) -> Result:
    """Extend a registration; `current_expires_at` must match, so a repeated renew is refused."""
    registrar = _login(client_id)
    now = _now(now)
    domain = _sponsored(name, registrar)
    if domain.has_status(m.REDEMPTION_PERIOD) or domain.has_status(m.PENDING_DELETE):
        raise Refused(STATUS_PROHIBITS, f"{domain.name} is deleted; restore it first", "name")
    if domain.expires_at.date() != current_expires_at.date():
        raise Refused(
            PARAMETER_RANGE,
            f"{domain.name} expires on {domain.expires_at.date()}, not {current_expires_at.date()}",
            "current_expires_at",
        )
    _check_years(domain.tld, years)
    new_expiry = _add_years(domain.expires_at, years)
    if new_expiry > _add_years(now, domain.tld.max_years):
        raise Refused(
            NOT_ELIGIBLE_FOR_RENEWAL,
            f"{domain.name}: a registration may run at most {domain.tld.max_years} years ahead",
            "years",
        )
    domain.expires_at = new_expiry
    _touch(domain, now)
    return _ok(name=domain.name, expires_at=domain.expires_at)


@command
def update_domain(
    *,
    client_id: str,
    name: str,
    add_statuses: Iterable[str] = (),
    remove_statuses: Iterable[str] = (),
    name_servers: Iterable[str] | None = None,
    auth_code: str | None = None,
    add_ds: Iterable[dict] = (),
    remove_ds: Iterable[dict] = (),
    registrant: str = "",
    admin: str = "",
    tech: str = "",
    now: datetime | None = None,
) -> Result:
    """Change name servers, client statuses, auth code, DS records or contacts, all or nothing."""
    registrar = _login(client_id)
    now = _now(now)
    domain = _sponsored(name, registrar)
    add_statuses, remove_statuses = list(add_statuses), list(remove_statuses)
    for status in add_statuses + remove_statuses:
        if status not in m.CLIENT_STATUSES:
            raise Refused(
                PARAMETER_SYNTAX, f"status: {status} is not a status a registrar may set", "statuses"
            )
    for status in (m.PENDING_TRANSFER, m.PENDING_DELETE, m.REDEMPTION_PERIOD):
        if domain.has_status(status):
            raise Refused(STATUS_PROHIBITS, f"{domain.name} has status {status}", "name")
    changes_other_than_unlock = bool(
        add_statuses
        or set(remove_statuses) - {m.CLIENT_UPDATE_PROHIBITED}
        or name_servers is not None
        or auth_code is not None
        or add_ds
        or remove_ds
        or registrant
        or admin
        or tech
    )
    if (
        domain.has_status(m.CLIENT_UPDATE_PROHIBITED)
        and m.CLIENT_UPDATE_PROHIBITED not in remove_statuses
        and changes_other_than_unlock
    ):
        raise Refused(STATUS_PROHIBITS, f"{domain.name} has status clientUpdateProhibited", "name")
    servers = _check_name_servers(name_servers, domain.name) if name_servers is not None else None
    code = _check_auth_code(auth_code) if auth_code is not None else None
    ds_add, ds_remove = _check_ds(add_ds), _check_ds(remove_ds)
    new_contacts = {
        role: _contact(handle, registrar, role)
        for role, handle in (("registrant", registrant), ("admin", admin), ("tech", tech))
        if handle
    }
    statuses = (set(domain.statuses) | set(add_statuses)) - set(remove_statuses)
    domain.statuses = sorted(statuses)
    if servers is not None:
        domain.name_servers = servers
    if code is not None:
        domain.auth_code = code
    for role, contact in new_contacts.items():
        setattr(domain, role, contact)
    for record in ds_remove:
        deleted, _ = domain.ds_records.filter(**record).delete()
        if not deleted:
            raise Refused(
                OBJECT_DOES_NOT_EXIST, f"DS record {record['key_tag']} is not on {domain.name}", "ds"
            )
    for record in ds_add:
        if domain.ds_records.filter(**record).exists():
            raise Refused(OBJECT_EXISTS, f"DS record {record['key_tag']} is already on {domain.name}", "ds")
        domain.ds_records.create(**record)
    _touch(domain, now)
    return _ok(**domain_data(domain, with_auth_code=True))


@command
def delete_domain(*, client_id: str, name: str, now: datetime | None = None) -> Result:
    """Delete a domain into its redemption period; it can be restored until purged."""
    registrar = _login(client_id)
    now = _now(now)
    domain = _sponsored(name, registrar)
    for status in (m.CLIENT_DELETE_PROHIBITED, m.PENDING_TRANSFER, m.REDEMPTION_PERIOD):
        if domain.has_status(status):
            raise Refused(STATUS_PROHIBITS, f"{domain.name} has status {status}", "name")
    hosts = list(domain.hosts.values_list("name", flat=True))
    used_elsewhere = [
        other.name
        for other in m.DomainObject.objects.exclude(pk=domain.pk)
        if any(host in other.name_servers for host in hosts)
    ]
    if used_elsewhere:
        raise Refused(
            ASSOCIATION_PROHIBITS,
            f"{domain.name}: its hosts are name servers of {', '.join(used_elsewhere)}",
            "name",
        )
    domain.statuses = sorted(set(domain.statuses) | {m.REDEMPTION_PERIOD, m.PENDING_DELETE})
    domain.deleted_at = now
    _touch(domain, now)
    return _ok(OK_PENDING, name=domain.name, purge_at=now + timedelta(days=settings.REGISTRY_REDEMPTION_DAYS))


@command
def restore_domain(*, client_id: str, name: str, now: datetime | None = None) -> Result:
    """Bring a domain back from its redemption period (RFC 3915); an expired one gains a year."""
    registrar = _login(client_id)
    now = _now(now)
    domain = _sponsored(name, registrar)
    if not domain.has_status(m.REDEMPTION_PERIOD):
        raise Refused(STATUS_PROHIBITS, f"{domain.name} is not in its redemption period", "name")
    domain.statuses = sorted(set(domain.statuses) - {m.REDEMPTION_PERIOD, m.PENDING_DELETE})
    domain.deleted_at = None
    while domain.expires_at <= now:
        domain.expires_at = _add_years(domain.expires_at, 1)
    _touch(domain, now)
    return _ok(name=domain.name, expires_at=domain.expires_at)


# ---- transfers ------------------------------------------------------------------------------


def _pending_transfer(domain: m.DomainObject) -> m.Transfer:
    transfer = domain.transfers.select_for_update().filter(status=m.Transfer.PENDING).first()
    if transfer is None:
        raise Refused(NOT_PENDING_TRANSFER, f"{domain.name} has no pending transfer", "name")
    return transfer


@command
def request_transfer(
    *, client_id: str, name: str, auth_code: str, years: int = 1, now: datetime | None = None
) -> Result:
    """Ask to move a domain to the calling registrar; it pends until approved or timed out."""
    registrar = _login(client_id)
    now = _now(now)
    domain = _domain_for_update(name)
    if domain.sponsor_id == registrar.pk:
        raise Refused(NOT_ELIGIBLE_FOR_TRANSFER, f"{domain.name} is already sponsored by you", "name")
    if domain.has_status(m.PENDING_TRANSFER):
        raise Refused(PENDING_TRANSFER, f"{domain.name} already has a pending transfer", "name")
    for status in (m.CLIENT_TRANSFER_PROHIBITED, m.REDEMPTION_PERIOD, m.PENDING_DELETE):
        if domain.has_status(status):
            raise Refused(STATUS_PROHIBITS, f"{domain.name} has status {status}", "name")
    if not secrets.compare_digest(auth_code or "", domain.auth_code):
        raise Refused(
            INVALID_AUTH_INFO, f"auth code: that is not the auth code of {domain.name}", "auth_code"
        )
    _check_years(domain.tld, years)
    transfer = m.Transfer.objects.create(
        domain=domain,
        gaining=registrar,
        losing=domain.sponsor,
        years=years,
        requested_at=now,
        act_by=now + timedelta(days=settings.REGISTRY_TRANSFER_AUTO_APPROVE_DAYS),
    )
    domain.statuses = sorted(set(domain.statuses) | {m.PENDING_TRANSFER})
    _touch(domain, now)
    return _ok(OK_PENDING, name=domain.name, status=transfer.status, act_by=transfer.act_by)


def _complete_transfer(domain: m.DomainObject, transfer: m.Transfer, status: str, now: datetime) -> None:
    transfer.status = status
    transfer.acted_at = now
    transfer.save()
    domain.sponsor = transfer.gaining
    domain.statuses = sorted(set(domain.statuses) - {m.PENDING_TRANSFER, m.CLIENT_TRANSFER_PROHIBITED})
    domain.expires_at = _add_years(domain.expires_at, transfer.years)
    domain.auth_code = new_auth_code()
    domain.transferred_at = now
    # Contacts and host objects move with the domain to the gaining registrar.
    for contact in {domain.registrant, domain.admin, domain.tech} - {None}:
        contact.sponsor = transfer.gaining
        contact.save()
    domain.hosts.update(sponsor=transfer.gaining)
    _touch(domain, now)


@command
def approve_transfer(*, client_id: str, name: str, now: datetime | None = None) -> Result:
    """The losing registrar lets a pending transfer go through."""
    registrar = _login(client_id)
    domain = _sponsored(name, registrar)
    transfer = _pending_transfer(domain)
    _complete_transfer(domain, transfer, m.Transfer.CLIENT_APPROVED, _now(now))
    return _ok(name=domain.name, status=transfer.status, expires_at=domain.expires_at)


def _end_transfer(domain: m.DomainObject, transfer: m.Transfer, status: str, now: datetime) -> None:
    transfer.status = status
    transfer.acted_at = now
    transfer.save()
    domain.statuses = sorted(set(domain.statuses) - {m.PENDING_TRANSFER})
    _touch(domain, now)


@command
def reject_transfer(*, client_id: str, name: str, now: datetime | None = None) -> Result:
    """The losing registrar refuses a pending transfer."""
    registrar = _login(client_id)
    domain = _sponsored(name, registrar)
    transfer = _pending_transfer(domain)
    _end_transfer(domain, transfer, m.Transfer.CLIENT_REJECTED, _now(now))
    return _ok(name=domain.name, status=transfer.status)


@command
def cancel_transfer(*, client_id: str, name: str, now: datetime | None = None) -> Result:
    """The gaining registrar withdraws its transfer request."""
    registrar = _login(client_id)
    domain = _domain_for_update(name)
    transfer = _pending_transfer(domain)
    if transfer.gaining_id != registrar.pk:
        raise Refused(AUTHORIZATION_ERROR, f"{domain.name}: only the requesting registrar may cancel", "name")
    _end_transfer(domain, transfer, m.Transfer.CLIENT_CANCELLED, _now(now))
    return _ok(name=domain.name, status=transfer.status)


@command
def query_transfer(*, client_id: str, name: str) -> Result:
    """The latest transfer of a domain, for either registrar involved."""
    registrar = _login(client_id)
    parsed = _parse_domain(name)
    transfer = (
        m.Transfer.objects.select_related("gaining", "losing")
        .filter(domain__name=parsed.ascii)
        .filter(Q(gaining=registrar) | Q(losing=registrar))
        .first()
    )
    if transfer is None:
        raise Refused(OBJECT_DOES_NOT_EXIST, f"{parsed.unicode} has no transfer involving you", "name")
    return _ok(
        name=parsed.ascii,
        status=transfer.status,
        gaining=transfer.gaining.client_id,
        losing=transfer.losing.client_id,
        requested_at=transfer.requested_at,
        act_by=transfer.act_by,
        acted_at=transfer.acted_at,
    )


# ---- the registry's own periodic work (run by Celery beat, not by registrars) ----------------


def approve_due_transfers(*, now: datetime | None = None) -> list[str]:
    """Approve every pending transfer whose losing registrar let the deadline pass."""
    now = _now(now)
    done = []
    for transfer_id in m.Transfer.objects.filter(status=m.Transfer.PENDING, act_by__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            # Claim: re-read under a lock; another worker may have acted already.
            transfer = (
                m.Transfer.objects.select_for_update()
                .filter(pk=transfer_id, status=m.Transfer.PENDING)
                .first()
            )
            if transfer is None:
                continue
            domain = m.DomainObject.objects.select_for_update().get(pk=transfer.domain_id)
            _complete_transfer(domain, transfer, m.Transfer.SERVER_APPROVED, now)
            done.append(domain.name)
    return done


def expire_domains(*, now: datetime | None = None) -> list[str]:
    """Move domains past their expiry into the redemption period; purge those past it.

    Answers the names whose state changed.
    """
    now = _now(now)
    changed = []
    for domain_id in m.DomainObject.objects.filter(expires_at__lte=now, deleted_at=None).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            domain = (
                m.DomainObject.objects.select_for_update()
                .filter(pk=domain_id, deleted_at=None, expires_at__lte=now)
                .first()
            )
            if domain is None:
                continue
            m.Transfer.objects.filter(domain=domain, status=m.Transfer.PENDING).update(
                status=m.Transfer.CLIENT_CANCELLED, acted_at=now
            )
            domain.statuses = sorted(
                (set(domain.statuses) - {m.PENDING_TRANSFER}) | {m.REDEMPTION_PERIOD, m.PENDING_DELETE}
            )
            domain.deleted_at = now
            _touch(domain, now)
            changed.append(domain.name)
    purge_before = now - timedelta(days=settings.REGISTRY_REDEMPTION_DAYS)
    for domain_id in m.DomainObject.objects.filter(deleted_at__lte=purge_before).values_list("pk", flat=True):
        with transaction.atomic():
            domain = (
                m.DomainObject.objects.select_for_update()
                .filter(pk=domain_id, deleted_at__lte=purge_before)
                .first()
            )
            if domain is None:
                continue
            tld = domain.tld.name
            name = domain.name
            domain.delete()
            zonedata.bump_serial(tld)
            changed.append(name)
    return changed
