"""Domain objects (RFC 5731): check, info, create, renew, update, delete and restore."""

import secrets
import string
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from registrar import dnssec, names
from registrar.registry import clock, zonedata
from registrar.registry import models as m
from registrar.registry.commands.contacts import sponsored_contact
from registrar.registry.commands.hosts import domains_using, registry_tld_of
from registrar.registry.commands.results import (
    ASSOCIATION_PROHIBITS,
    AUTHORIZATION_ERROR,
    NOT_ELIGIBLE_FOR_RENEWAL,
    OBJECT_DOES_NOT_EXIST,
    OBJECT_EXISTS,
    OK_PENDING,
    PARAMETER_MISSING,
    PARAMETER_RANGE,
    PARAMETER_SYNTAX,
    POLICY_ERROR,
    STATUS_PROHIBITS,
    Refused,
    Result,
    auth_code_matches,
    command,
    login,
    ok,
)

MAX_NAME_SERVERS = 13
AUTH_CODE_ALPHABET = string.ascii_letters + string.digits + "-_.!+="


def parse_domain(name: str) -> names.DomainName:
    """The parsed name; Refused with 2005 if it is not a domain name."""
    try:
        return names.parse_domain_name(name)
    except names.NameProblem as problem:
        raise Refused(PARAMETER_SYNTAX, problem.message, "name") from None


def domain_for_update(name: str) -> m.DomainObject:
    """The registered domain, locked for the rest of the command; Refused with 2303 if absent."""
    parsed = parse_domain(name)
    domain = m.DomainObject.objects.select_for_update().filter(name=parsed.ascii).first()
    if domain is None:
        raise Refused(OBJECT_DOES_NOT_EXIST, f"{parsed.unicode} is not registered", "name")
    return domain


def sponsored_domain(name: str, registrar: m.Registrar) -> m.DomainObject:
    """As domain_for_update, and Refused with 2201 unless `registrar` sponsors it."""
    domain = domain_for_update(name)
    if domain.sponsor_id != registrar.pk:
        raise Refused(AUTHORIZATION_ERROR, f"{domain.name} is sponsored by another registrar", "name")
    return domain


def add_years(moment: datetime, years: int) -> datetime:
    """The same day `years` later (28 February for a 29th that does not exist)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February in a year that has none
        return moment.replace(year=moment.year + years, day=28)


def new_auth_code() -> str:
    """A fresh random auth code (EPP authInfo password), 16 characters."""
    return "".join(secrets.choice(AUTH_CODE_ALPHABET) for _ in range(16))


def check_auth_code(auth_code: str) -> str:
    """The auth code itself; Refused with 2005 unless it is 8 to 32 allowed characters."""
    if not 8 <= len(auth_code) <= 32 or any(char not in AUTH_CODE_ALPHABET for char in auth_code):
        raise Refused(
            PARAMETER_SYNTAX,
            "auth code: use 8 to 32 letters, digits or - _ . ! + =",
            "auth_code",
        )
    return auth_code


def check_years(tld: m.Tld, years: int, field_name: str = "years") -> None:
    """Refused with 2004 unless `years` is a term the TLD allows."""
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
        if registry_tld_of(host) is None:
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


def _check_ds(values: Iterable[dict]) -> list[dict]:
    records = []
    for value in values:
        try:
            ds = dnssec.parse_ds(
                *(value.get(key) for key in ("key_tag", "algorithm", "digest_type", "digest"))
            )
        except dnssec.DsProblem as problem:
            raise Refused(PARAMETER_SYNTAX, problem.message, "ds") from None
        records.append(ds.as_dict())
    return records


def touch(domain: m.DomainObject, now: datetime) -> None:
    """Save a changed domain and move its TLD zone's serial."""
    domain.updated_at = now
    domain.save()
    zonedata.bump_serial(domain.tld.name)


def domain_data(domain: m.DomainObject, *, with_auth_code: bool) -> dict:
    """The data an info response carries for `domain`; its hosts say whether a domain uses them."""
    hosts = list(domain.hosts.all())
    linked = domains_using(host.name for host in hosts)
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
        "hosts": [
            {"name": h.name, "addresses": list(h.addresses), "is_linked": h.name in linked} for h in hosts
        ],
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


@command
def tld_list(*, client_id: str) -> Result:
    """The TLDs on sale with their yearly price and terms."""
    login(client_id)
    tlds = [
        {
            "name": tld.name,
            "yearly_price_cents": tld.yearly_price_cents,
            "min_years": tld.min_years,
            "max_years": tld.max_years,
        }
        for tld in m.Tld.objects.all()
    ]
    return ok(tlds=tlds)


@command
def check_domains(*, client_id: str, names_to_check: Iterable[str]) -> Result:
    """Availability of each name, with a reason (taken, reserved, invalid) and the yearly fee."""
    login(client_id)
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
    return ok(results=results)


@command
def info_domain(*, client_id: str, name: str, auth_code: str = "") -> Result:
    """A domain's data; the auth code only to its sponsor, others need the auth code to look."""
    registrar = login(client_id)
    parsed = parse_domain(name)
    domain = (
        m.DomainObject.objects.select_related("tld", "sponsor", "registrant")
        .filter(name=parsed.ascii)
        .first()
    )
    if domain is None:
        raise Refused(OBJECT_DOES_NOT_EXIST, f"{parsed.unicode} is not registered", "name")
    is_sponsor = domain.sponsor_id == registrar.pk
    if not is_sponsor and not auth_code_matches(auth_code, domain.auth_code):
        raise Refused(AUTHORIZATION_ERROR, f"{domain.name} is sponsored by another registrar", "name")
    return ok(**domain_data(domain, with_auth_code=is_sponsor))


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
    registrar = login(client_id)
    now = now or clock.now()
    parsed = parse_domain(name)
    tld = _tld_for(parsed)
    if parsed.labels[0] in tld.reserved_labels:
        raise Refused(POLICY_ERROR, f"{parsed.unicode} is reserved by the .{tld.name} registry", "name")
    check_years(tld, years)
    contacts = {
        role: sponsored_contact(handle, registrar, role)
        for role, handle in (("registrant", registrant), ("admin", admin), ("tech", tech))
    }
    if contacts["registrant"] is None:
        raise Refused(PARAMETER_MISSING, "registrant: a domain needs a registrant contact", "registrant")
    servers = _check_name_servers(name_servers, parsed.ascii)
    code = check_auth_code(auth_code) if auth_code else new_auth_code()
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
                expires_at=add_years(now, years),
            )
    except IntegrityError:
        raise Refused(OBJECT_EXISTS, f"{parsed.unicode} is already registered", "name") from None
    zonedata.bump_serial(tld.name)
    return ok(name=domain.name, created_at=domain.created_at, expires_at=domain.expires_at)


@command
def renew_domain(
    *, client_id: str, name: str, current_expires_at: datetime, years: int, now: datetime | None = None
) -> Result:
    """Extend a registration; `current_expires_at` must match, so a repeated renew is refused."""
    registrar = login(client_id)
    now = now or clock.now()
    domain = sponsored_domain(name, registrar)
    if domain.has_status(m.REDEMPTION_PERIOD) or domain.has_status(m.PENDING_DELETE):
        raise Refused(STATUS_PROHIBITS, f"{domain.name} is deleted; restore it first", "name")
    if domain.expires_at.date() != current_expires_at.date():
        raise Refused(
            PARAMETER_RANGE,
            f"{domain.name} expires on {domain.expires_at.date()}, not {current_expires_at.date()}",
            "current_expires_at",
        )
    check_years(domain.tld, years)
    new_expiry = add_years(domain.expires_at, years)
    if new_expiry > add_years(now, domain.tld.max_years):
        raise Refused(
            NOT_ELIGIBLE_FOR_RENEWAL,
            f"{domain.name}: a registration may run at most {domain.tld.max_years} years ahead",
            "years",
        )
    domain.expires_at = new_expiry
    touch(domain, now)
    return ok(name=domain.name, expires_at=domain.expires_at)


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
    registrar = login(client_id)
    now = now or clock.now()
    domain = sponsored_domain(name, registrar)
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
    code = check_auth_code(auth_code) if auth_code is not None else None
    ds_add, ds_remove = _check_ds(add_ds), _check_ds(remove_ds)
    new_contacts = {
        role: sponsored_contact(handle, registrar, role)
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
    touch(domain, now)
    return ok(**domain_data(domain, with_auth_code=True))


@command
def delete_domain(*, client_id: str, name: str, now: datetime | None = None) -> Result:
    """Delete a domain into its redemption period; it can be restored until purged."""
    registrar = login(client_id)
    now = now or clock.now()
    domain = sponsored_domain(name, registrar)
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
    touch(domain, now)
    return ok(OK_PENDING, name=domain.name, purge_at=now + timedelta(days=settings.REGISTRY_REDEMPTION_DAYS))


@command
def restore_domain(*, client_id: str, name: str, now: datetime | None = None) -> Result:
    """Bring a domain back from its redemption period (RFC 3915); an expired one gains a year."""
    registrar = login(client_id)
    now = now or clock.now()
    domain = sponsored_domain(name, registrar)
    if not domain.has_status(m.REDEMPTION_PERIOD):
        raise Refused(STATUS_PROHIBITS, f"{domain.name} is not in its redemption period", "name")
    domain.statuses = sorted(set(domain.statuses) - {m.REDEMPTION_PERIOD, m.PENDING_DELETE})
    domain.deleted_at = None
    while domain.expires_at <= now:
        domain.expires_at = add_years(domain.expires_at, 1)
    touch(domain, now)
    return ok(name=domain.name, expires_at=domain.expires_at)
