"""DNS Firewall services: domain lists, rule groups and rules, associations with networks.

Every function checks ownership itself (a group may use only its owner's lists and be
associated only with its owner's networks) and raises FirewallError with the field at fault.
A change to what a group's RPZ zone holds raises the group's serial in the same
transaction; the DNS server's RPZ source sees the new serial and NOTIFYs the resolvers.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import dns.name
from django.db import IntegrityError, transaction
from django.db.models import F

from dnsfirewall.errors import FirewallError
from dnsfirewall.models import (
    FirewallDomainList,
    FirewallRule,
    FirewallRuleGroup,
    FirewallRuleGroupAssociation,
)
from dnsfirewall.rpz import RpzLogLine
from dnsfirewall.rules import name_problems, normalize_override, parse_domains, rule_problems
from kernel import bus
from zones.models import Network
from zones.rules import Problem

DOMAIN_OPERATIONS = ("REPLACE", "ADD", "REMOVE")


def refusal(field: str, reason: str) -> FirewallError:
    """The error for one field: "field: reason" where there is no field to stand beside."""
    return FirewallError(f"{field}: {reason}", field, reason=reason)


def _raise_first(problems: list[Problem]) -> None:
    if problems:
        raise FirewallError.from_problem(problems[0])


def _clean_name(name: str) -> str:
    _raise_first(name_problems(name))
    return name.strip()


def _announce(network_id: int) -> None:
    """Tell the resolvers that a network's rpz: clauses changed (which groups, in which order).

    A change inside a group needs no announcement: its zone's serial rises and the DNS
    server NOTIFYs the resolvers.
    """
    transaction.on_commit(lambda: bus.publish_resolver_change(network_id))


def _bump(group_ids: Iterable[int]) -> None:
    FirewallRuleGroup.objects.filter(pk__in=list(group_ids)).update(serial=F("serial") + 1)


# ---- domain lists -------------------------------------------------------------------------


def create_domain_list(
    *, owner: Any, name: str, domains: Iterable[str] = (), creator_request_id: str = ""
) -> FirewallDomainList:
    """A new domain list from lines of text (one domain a line). Raises FirewallError."""
    name = _clean_name(name)
    cleaned, problems = parse_domains(domains)
    _raise_first(problems)
    if FirewallDomainList.objects.filter(owner=owner, name=name).exists():
        raise refusal("name", f"you already have a domain list named {name}")
    try:
        with transaction.atomic():
            return FirewallDomainList.objects.create(
                owner=owner, name=name, domains=cleaned, creator_request_id=creator_request_id
            )
    except IntegrityError:
        raise refusal("name", f"you already have a domain list named {name}") from None


def update_domain_list(
    domain_list: FirewallDomainList,
    *,
    name: str | None = None,
    domains: Iterable[str] | None = None,
    operation: str = "REPLACE",
) -> FirewallDomainList:
    """Rename a list and/or REPLACE its domains, ADD to them or REMOVE some (Route 53's operations).

    Raises FirewallError (fields `name`, `domains`, `operation`).
    """
    if operation not in DOMAIN_OPERATIONS:
        raise refusal("operation", f"{operation} is not one of {', '.join(DOMAIN_OPERATIONS)}")
    if name is not None:
        name = _clean_name(name)
        clash = FirewallDomainList.objects.filter(owner=domain_list.owner, name=name).exclude(
            pk=domain_list.pk
        )
        if clash.exists():
            raise refusal("name", f"you already have a domain list named {name}")
    cleaned = None
    if domains is not None:
        given, problems = parse_domains(domains)
        _raise_first(problems)
        if operation == "ADD":
            given = list(dict.fromkeys([*domain_list.domains, *given]))
        elif operation == "REMOVE":
            removed = set(given)
            given = [domain for domain in domain_list.domains if domain not in removed]
        cleaned, problems = parse_domains(given)
        _raise_first(problems)
    with transaction.atomic():
        locked = FirewallDomainList.objects.select_for_update().get(pk=domain_list.pk)
        if name is not None:
            locked.name = name
        if cleaned is not None:
            locked.domains = cleaned
        locked.save()
        _bump(locked.rules.values_list("group_id", flat=True))
    return locked


def delete_domain_list(domain_list: FirewallDomainList) -> None:
    """Raises FirewallError while a rule uses the list."""
    if domain_list.rules.exists():
        raise FirewallError("A rule uses this domain list; delete the rule first.")
    domain_list.delete()


# ---- rule groups and rules ----------------------------------------------------------------


def create_rule_group(*, owner: Any, name: str, creator_request_id: str = "") -> FirewallRuleGroup:
    name = _clean_name(name)
    if FirewallRuleGroup.objects.filter(owner=owner, name=name).exists():
        raise refusal("name", f"you already have a rule group named {name}")
    return FirewallRuleGroup.objects.create(owner=owner, name=name, creator_request_id=creator_request_id)


def rename_rule_group(group: FirewallRuleGroup, *, name: str) -> FirewallRuleGroup:
    name = _clean_name(name)
    if FirewallRuleGroup.objects.filter(owner=group.owner, name=name).exclude(pk=group.pk).exists():
        raise refusal("name", f"you already have a rule group named {name}")
    group.name = name
    group.save(update_fields=["name", "updated_at"])
    return group


def delete_rule_group(group: FirewallRuleGroup) -> None:
    """Raises FirewallError while the group is associated with a network (as Route 53 does)."""
    if group.associations.exists():
        raise FirewallError("This rule group is associated with a network; disassociate it first.")
    group.delete()


def save_rule(
    *,
    group: FirewallRuleGroup,
    domain_list: FirewallDomainList,
    name: str,
    priority: int,
    action: str,
    block_response: str = "",
    override_type: str = "",
    override_value: str = "",
    override_ttl: int = 60,
    creator_request_id: str = "",
    rule: FirewallRule | None = None,
) -> FirewallRule:
    """Create a rule (or change `rule`). Raises FirewallError by field.

    The domain list must be the group's owner's: another account's list is refused as if it
    did not exist.
    """
    name = _clean_name(name)
    if domain_list.owner_id != group.owner_id:
        raise refusal("domain_list", f"there is no domain list {domain_list.pk} of yours")
    _raise_first(
        rule_problems(
            priority=priority,
            action=action,
            block_response=block_response,
            override_type=override_type,
            override_value=override_value,
            override_ttl=override_ttl,
        )
    )
    if action != "BLOCK":
        block_response = ""
    if block_response == "OVERRIDE":
        override_value, _ = normalize_override(override_type, override_value)
    else:
        override_type, override_value = "", ""
    taken = FirewallRule.objects.filter(group=group, priority=priority)
    if rule is not None:
        taken = taken.exclude(pk=rule.pk)
    if taken.exists():
        raise refusal("priority", f"another rule of this group has priority {priority}")
    fields = dict(
        domain_list=domain_list,
        name=name,
        priority=priority,
        action=action,
        block_response=block_response,
        override_type=override_type,
        override_value=override_value,
        override_ttl=override_ttl,
    )
    try:
        with transaction.atomic():
            if rule is None:
                rule = FirewallRule.objects.create(
                    group=group, creator_request_id=creator_request_id, **fields
                )
            else:
                for field, value in fields.items():
                    setattr(rule, field, value)
                rule.save()
            _bump([group.pk])
    except IntegrityError:
        raise refusal("priority", f"another rule of this group has priority {priority}") from None
    return rule


def delete_rule(rule: FirewallRule) -> None:
    with transaction.atomic():
        group_id = rule.group_id
        rule.delete()
        _bump([group_id])


# ---- associations -------------------------------------------------------------------------


def associate_rule_group(
    *, group: FirewallRuleGroup, network: Network, priority: int, name: str = "", creator_request_id: str = ""
) -> FirewallRuleGroupAssociation:
    """Apply the group to the network's resolver at `priority` among its groups.

    Raises FirewallError: the network must be the group's owner's (another account's is
    refused as if it did not exist), the priority free, the pair new.
    """
    if network.owner_id != group.owner_id:
        raise refusal("network", f"there is no network {network.pk} of yours")
    if not isinstance(priority, int) or isinstance(priority, bool) or priority < 1:
        raise refusal("priority", f"{priority} is not a whole number of at least 1")
    if FirewallRuleGroupAssociation.objects.filter(network=network, group=group).exists():
        raise refusal("group", f"{group.name} is already associated with {network.name}")
    if FirewallRuleGroupAssociation.objects.filter(network=network, priority=priority).exists():
        raise refusal("priority", f"another rule group of {network.name} has priority {priority}")
    try:
        with transaction.atomic():
            association = FirewallRuleGroupAssociation.objects.create(
                group=group,
                network=network,
                priority=priority,
                name=name.strip()[:64],
                creator_request_id=creator_request_id,
            )
            _announce(network.pk)
            return association
    except IntegrityError:
        raise refusal("priority", f"another rule group of {network.name} has priority {priority}") from None


def update_association(
    association: FirewallRuleGroupAssociation, *, priority: int
) -> FirewallRuleGroupAssociation:
    """Move the group to another priority among the network's groups. Raises FirewallError."""
    network = association.network
    taken = FirewallRuleGroupAssociation.objects.filter(network=network, priority=priority)
    if taken.exclude(pk=association.pk).exists():
        raise refusal("priority", f"another rule group of {network.name} has priority {priority}")
    with transaction.atomic():
        association.priority = priority
        association.save(update_fields=["priority"])
        _announce(network.pk)
    return association


def disassociate_rule_group(association: FirewallRuleGroupAssociation) -> None:
    with transaction.atomic():
        _announce(association.network_id)
        association.delete()


# ---- what the resolver and the DNS server read --------------------------------------------


def network_rule_groups(network: Network) -> list[FirewallRuleGroup]:
    """The groups applied to the network's resolver, in the order they apply."""
    return [
        association.group
        for association in network.firewall_associations.select_related("group").order_by("priority")
    ]


def rpz_log_name(group: FirewallRuleGroup) -> str:
    """The name unbound's rpz-log lines carry for the group: `firewall-<group id>`."""
    return f"firewall-{group.pk}"


def rpz_clauses(
    network: Network,
    *,
    primaries: Sequence[str],
    allow_notify: Sequence[str] = (),
    zonefile_dir: str | None = None,
) -> list[str]:
    """The unbound.conf lines of the network's firewall: one `rpz:` clause per associated group.

    `primaries` are where the DNS server's RPZ listener answers, as unbound writes them
    ("127.0.0.1@8056"); `allow_notify` the addresses NOTIFY may come from besides them; with
    `zonefile_dir`, unbound keeps a copy of each zone there and starts from it. The clauses
    come in the network's association order, which is the order unbound applies them. The
    server: clause needs `module-config: "respip validator iterator"` for them to work.
    """
    lines = []
    for group in network_rule_groups(network):
        lines += ["rpz:", f'    name: "{group.rpz_zone_name}"']
        lines += [f"    primary: {primary}" for primary in primaries]
        lines += [f"    allow-notify: {address}" for address in allow_notify]
        if zonefile_dir is not None:
            lines.append(f'    zonefile: "{zonefile_dir}/{group.rpz_zone_name}zone"')
        lines += ["    rpz-log: yes", f'    rpz-log-name: "{rpz_log_name(group)}"']
    return lines


def firewall_rule_for(group: FirewallRuleGroup, qname: str) -> FirewallRule | None:
    """The group's rule that decides a query for `qname` now (the first match by priority), or None.

    The query-log reader asks this of each rpz-log line (`firewall_verdicts`): ALERT and
    ALLOW both log `rpz-passthru`, and only the rule tells them apart.
    """
    return _first_match(group.rules.select_related("domain_list").order_by("priority"), qname)


def _first_match(rules: Iterable[FirewallRule], qname: str) -> FirewallRule | None:
    """The first of `rules` (in priority order, domain lists loaded) whose list holds `qname`."""
    name = dns.name.from_text(qname)
    for rule in rules:
        for domain in rule.domain_list.domains:
            if _matches(domain, name):
                return rule
    return None


@dataclass(frozen=True)
class FirewallVerdict:
    """What the firewall did with one query, as the query log keeps it."""

    action: str
    rule_group_id: int
    domain_list_id: int | None


def firewall_verdicts(lines: Iterable[RpzLogLine]) -> list[FirewallVerdict | None]:
    """The verdict behind each rpz-log line, in order; None for a group that is gone.

    A rewritten answer is a BLOCK; a passthru is the ALLOW or ALERT rule that matched
    (firewall_rule_for), a plain ALLOW when the rule changed since.
    """
    lines = list(lines)
    groups = FirewallRuleGroup.objects.in_bulk({line.group_id for line in lines})
    # Each group's rules are read once for the batch, not once per line.
    rules_of: dict[int, list[FirewallRule]] = {group_id: [] for group_id in groups}
    for rule in (
        FirewallRule.objects.filter(group_id__in=groups).select_related("domain_list").order_by("priority")
    ):
        rules_of[rule.group_id].append(rule)
    verdicts: list[FirewallVerdict | None] = []
    for line in lines:
        group = groups.get(line.group_id)
        if group is None:
            verdicts.append(None)
            continue
        rule = _first_match(rules_of[group.pk], line.qname)
        if not line.is_passthru:
            action = FirewallRule.Action.BLOCK
        elif rule is not None and rule.action != FirewallRule.Action.BLOCK:
            action = rule.action
        else:
            action = FirewallRule.Action.ALLOW
        verdicts.append(FirewallVerdict(action, group.pk, rule.domain_list_id if rule else None))
    return verdicts


def _matches(domain: str, name: dns.name.Name) -> bool:
    if domain == "*":
        return len(name.labels) > 1
    if domain.startswith("*."):
        base = dns.name.from_text(domain[2:])
        return name != base and name.is_subdomain(base)
    return name == dns.name.from_text(domain)
