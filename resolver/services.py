"""The Resolver's services: the only way other apps (and our views) change its data.

Endpoints, rules and query-log configurations belong to an account and concern that account's
networks (zones.Network). Every change announces the networks it touches on the bus after
commit, and `manage.py resolvers` rewrites those networks' unbound instances
(`instance_config` is what it writes).
"""

import ipaddress
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMinute
from django.utils import timezone

from dnsfirewall import services as firewall_services
from dnsfirewall.models import FirewallRule, FirewallRuleGroup
from kernel import bus
from kernel.listeners import listeners_by_role
from resolver import rules
from resolver.config import LOOPBACK_CIDRS, InstanceConfig, RuleSpec, plan_zones, server_text
from resolver.errors import ResolverError
from resolver.models import EndpointAddress, QueryLogConfig, QueryLogEntry, ResolverEndpoint, ResolverRule
from zones.models import Network

Direction = ResolverEndpoint.Direction
RuleType = ResolverRule.RuleType


def _refuse(field: str, reason: str) -> None:
    raise ResolverError(reason, field)


def _raise_first(problems: list[rules.Problem]) -> None:
    if problems:
        _refuse(*problems[0])


def _announce(network_ids: Iterable[int]) -> None:
    ids = sorted(set(network_ids))
    transaction.on_commit(lambda: [bus.publish_resolver_change(network_id) for network_id in ids])


def _check_owner(owner: Any, network: Network) -> None:
    if network.owner_id != owner.pk:
        _refuse("network", f"there is no network {network.pk} of yours")


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        _refuse("name", "a name is needed")
    return name


# ---- endpoints ------------------------------------------------------------------------------


def _clean_addresses(direction: str, addresses: Iterable) -> list[dict]:
    """Inbound: IP and port on RESOLVER_INBOUND_ADDRESSES; outbound: source IPs (port 0)."""
    inbound = direction == Direction.INBOUND
    pool = set(settings.RESOLVER_INBOUND_ADDRESSES if inbound else settings.RESOLVER_OUTBOUND_ADDRESSES)
    setting = "RESOLVER_INBOUND_ADDRESSES" if inbound else "RESOLVER_OUTBOUND_ADDRESSES"
    cleaned: list[dict] = []
    for item in addresses:
        address, problems = rules.clean_ip_port(
            item,
            "addresses",
            default_port=settings.RESOLVER_INBOUND_PORT if inbound else 0,
            need_port=inbound,
        )
        _raise_first(problems)
        if not inbound:
            address["port"] = 0
        if address["ip"] not in pool:
            _raise_first([("addresses", f"{address['ip']} is not one of the resolver addresses ({setting})")])
        if address not in cleaned:
            cleaned.append(address)
    return cleaned


def _free_inbound_address() -> dict:
    port = settings.RESOLVER_INBOUND_PORT
    taken = set(EndpointAddress.objects.filter(port=port).values_list("ip", flat=True))
    for ip in settings.RESOLVER_INBOUND_ADDRESSES:
        if ip not in taken:
            return {"ip": ip, "port": port}
    raise ResolverError(
        f"every address of RESOLVER_INBOUND_ADDRESSES is taken on port {port}; name an address and port",
        "addresses",
    )


def _write_addresses(endpoint: ResolverEndpoint, addresses: list[dict]) -> None:
    endpoint.addresses.all().delete()
    try:
        with transaction.atomic():
            EndpointAddress.objects.bulk_create(
                [EndpointAddress(endpoint=endpoint, ip=item["ip"], port=item["port"]) for item in addresses]
            )
    except IntegrityError:
        raise ResolverError("one of these addresses and ports is another endpoint's", "addresses") from None


def create_resolver_endpoint(
    *, owner: Any, network: Network, name: str, direction: str, addresses: Iterable = ()
) -> ResolverEndpoint:
    """An inbound endpoint (where the network's clients ask) or an outbound one (source addresses).

    An inbound endpoint without addresses takes the next free one of RESOLVER_INBOUND_ADDRESSES
    on RESOLVER_INBOUND_PORT; an outbound one needs its addresses. Raises ResolverError.
    """
    _check_owner(owner, network)
    name = _check_name(name)
    if direction not in Direction.values:
        _refuse("direction", f"{direction} is not INBOUND or OUTBOUND")
    cleaned = _clean_addresses(direction, addresses)
    if not cleaned and direction == Direction.OUTBOUND:
        _raise_first([("addresses", "an outbound endpoint needs at least one source address")])
    if ResolverEndpoint.objects.filter(owner=owner, name=name).exists():
        _raise_first([("name", f"you already have an endpoint named {name}")])
    with transaction.atomic():
        endpoint = ResolverEndpoint.objects.create(
            owner=owner, network=network, name=name, direction=direction
        )
        _write_addresses(endpoint, cleaned or [_free_inbound_address()])
        _announce([network.pk])
    return endpoint


def update_resolver_endpoint(
    endpoint: ResolverEndpoint, *, name: str | None = None, addresses: Iterable | None = None
) -> ResolverEndpoint:
    """Rename an endpoint or replace its addresses. Raises ResolverError."""
    with transaction.atomic():
        if name is not None:
            endpoint.name = _check_name(name)
            clash = ResolverEndpoint.objects.filter(owner=endpoint.owner, name=endpoint.name)
            if clash.exclude(pk=endpoint.pk).exists():
                _raise_first([("name", f"you already have an endpoint named {endpoint.name}")])
            endpoint.save(update_fields=["name"])
        if addresses is not None:
            cleaned = _clean_addresses(endpoint.direction, addresses)
            if not cleaned:
                _raise_first([("addresses", "an endpoint needs at least one address")])
            _write_addresses(endpoint, cleaned)
        _announce(_endpoint_networks(endpoint))
    return endpoint


def _endpoint_networks(endpoint: ResolverEndpoint) -> set[int]:
    networks = {endpoint.network_id}
    for rule in endpoint.rules.all():
        networks |= set(rule.networks.values_list("pk", flat=True))
    return networks


def delete_resolver_endpoint(endpoint: ResolverEndpoint) -> None:
    """Delete an endpoint. Raises ResolverError while a rule sends its queries through it."""
    if endpoint.rules.exists():
        raise ResolverError(f"rules use the outbound endpoint {endpoint.name}; change or delete them first")
    with transaction.atomic():
        _announce([endpoint.network_id])
        endpoint.delete()


# ---- rules ------------------------------------------------------------------------------------


def _check_targets(target_ips: Iterable) -> list[dict]:
    targets, problems = rules.clean_targets(target_ips)
    _raise_first(problems)
    # A target on the private listener would read another network's private zones through it.
    private = set(settings.DNS_PRIVATE_ADDRESSES) | {settings.RESOLVER_SYSTEM_ADDRESS}
    for target in targets:
        if target["ip"] in private:
            _raise_first([("target_ips", f"{target['ip']} is an address of Nameplate's own resolvers")])
    return targets


def _check_outbound(owner: Any, endpoint: ResolverEndpoint | None) -> None:
    if endpoint is None:
        return
    if endpoint.owner_id != owner.pk:
        _raise_first([("outbound_endpoint", f"there is no endpoint {endpoint.pk} of yours")])
    if endpoint.direction != Direction.OUTBOUND:
        _raise_first([("outbound_endpoint", f"{endpoint.name} is not an outbound endpoint")])


def create_resolver_rule(
    *,
    owner: Any,
    name: str,
    domain_name: str,
    rule_type: str,
    target_ips: Iterable = (),
    outbound_endpoint: ResolverEndpoint | None = None,
) -> ResolverRule:
    """A FORWARD rule (a domain and all below it to target addresses) or a SYSTEM rule.

    Raises ResolverError: a bad domain or target, targets on a SYSTEM rule, another account's
    or an inbound endpoint.
    """
    name = _check_name(name)
    domain, problems = rules.clean_domain_name(domain_name)
    _raise_first(problems)
    if rule_type not in RuleType.values:
        _raise_first([("rule_type", f"{rule_type} is not FORWARD or SYSTEM")])
    targets: list[dict] = []
    if rule_type == RuleType.FORWARD:
        targets = _check_targets(target_ips)
    elif list(target_ips) or outbound_endpoint is not None:
        _raise_first([("target_ips", "a SYSTEM rule has no target addresses or outbound endpoint")])
    _check_outbound(owner, outbound_endpoint)
    if ResolverRule.objects.filter(owner=owner, name=name).exists():
        _raise_first([("name", f"you already have a rule named {name}")])
    return ResolverRule.objects.create(
        owner=owner,
        name=name,
        domain_name=domain,
        rule_type=rule_type,
        target_ips=targets,
        outbound_endpoint=outbound_endpoint,
    )


_UNSET: Any = object()


def update_resolver_rule(
    rule: ResolverRule,
    *,
    name: str | None = None,
    target_ips: Iterable | None = None,
    outbound_endpoint: ResolverEndpoint | None = _UNSET,
) -> ResolverRule:
    """Rename a rule, change a FORWARD rule's targets or outbound endpoint; applied live."""
    with transaction.atomic():
        if name is not None:
            rule.name = _check_name(name)
            if ResolverRule.objects.filter(owner=rule.owner, name=rule.name).exclude(pk=rule.pk).exists():
                _raise_first([("name", f"you already have a rule named {rule.name}")])
        if target_ips is not None:
            if rule.rule_type != RuleType.FORWARD:
                _raise_first([("target_ips", "a SYSTEM rule has no target addresses or outbound endpoint")])
            rule.target_ips = _check_targets(target_ips)
        if outbound_endpoint is not _UNSET:
            _check_outbound(rule.owner, outbound_endpoint)
            rule.outbound_endpoint = outbound_endpoint
        rule.save()
        _announce(rule.networks.values_list("pk", flat=True))
    return rule


def delete_resolver_rule(rule: ResolverRule) -> None:
    """Delete a rule; its networks stop using it at once."""
    with transaction.atomic():
        _announce(rule.networks.values_list("pk", flat=True))
        rule.delete()


def associate_resolver_rule(rule: ResolverRule, network: Network) -> None:
    """Use the rule in the network's resolver. Raises ResolverError for another account's network
    or when another rule of the network has the same domain (Route 53 allows one per name)."""
    _check_owner(rule.owner, network)
    clash = network.resolver_rules.filter(domain_name=rule.domain_name).exclude(pk=rule.pk).first()
    if clash:
        _raise_first(
            [("network", f"the rule {clash.name} already covers {rule.domain_name} in {network.name}")]
        )
    with transaction.atomic():
        rule.networks.add(network)
        _announce([network.pk])


def disassociate_resolver_rule(rule: ResolverRule, network: Network) -> None:
    with transaction.atomic():
        rule.networks.remove(network)
        _announce([network.pk])


# ---- query logs -------------------------------------------------------------------------------


def create_query_log_config(*, owner: Any, name: str, networks: Iterable[Network] = ()) -> QueryLogConfig:
    """Keep the queries of these networks' resolvers. Raises ResolverError."""
    name = _check_name(name)
    if QueryLogConfig.objects.filter(owner=owner, name=name).exists():
        _raise_first([("name", f"you already have a query-log configuration named {name}")])
    with transaction.atomic():
        config = QueryLogConfig.objects.create(owner=owner, name=name)
        for network in networks:
            associate_query_log_config(config, network)
    return config


def associate_query_log_config(config: QueryLogConfig, network: Network) -> None:
    _check_owner(config.owner, network)
    with transaction.atomic():
        config.networks.add(network)
        _announce([network.pk])


def disassociate_query_log_config(config: QueryLogConfig, network: Network) -> None:
    with transaction.atomic():
        config.networks.remove(network)
        _announce([network.pk])


def delete_query_log_config(config: QueryLogConfig) -> None:
    with transaction.atomic():
        _announce(config.networks.values_list("pk", flat=True))
        config.delete()


def record_queries(network_id: int, queries: Iterable[Mapping]) -> int:
    """Store answered queries (dnstap.LoggedQuery fields) of a network; how many were stored."""
    rows = [QueryLogEntry(network_id=network_id, **dict(query)) for query in queries]
    QueryLogEntry.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def prune_query_log(*, now: datetime | None = None) -> int:
    """Delete entries older than RESOLVER_QUERY_LOG_RETENTION_DAYS; how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.RESOLVER_QUERY_LOG_RETENTION_DAYS)
    deleted, _ = QueryLogEntry.objects.filter(queried_at__lt=cutoff).delete()
    return deleted


def filter_query_log(
    queryset: QuerySet,
    *,
    name: str = "",
    qtype: str = "",
    rcode: str = "",
    client: str = "",
    firewall_action: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet:
    """Entries whose name contains `name`, of that type, rcode, client and firewall action, in
    [since, until).

    Raises ResolverError (field `client` or `firewall_action`) for a client that is not an IP
    address or an action that is not the firewall's.
    """
    if name.strip():
        queryset = queryset.filter(query_name__contains=name.strip().lower())
    if qtype.strip():
        queryset = queryset.filter(query_type=qtype.strip().upper())
    if rcode.strip():
        queryset = queryset.filter(rcode=rcode.strip().upper())
    if client.strip():
        try:
            address = ipaddress.ip_address(client.strip())
        except ValueError:
            raise ResolverError(f"{client.strip()} is not an IPv4 or IPv6 address", "client") from None
        queryset = queryset.filter(client_address=str(address))
    if firewall_action.strip():
        action = firewall_action.strip().upper()
        if action not in FirewallRule.Action.values:
            raise ResolverError(f"{firewall_action.strip()} is not ALLOW, BLOCK or ALERT", "firewall_action")
        queryset = queryset.filter(firewall_action=action)
    if since:
        queryset = queryset.filter(queried_at__gte=since)
    if until:
        queryset = queryset.filter(queried_at__lt=until)
    return queryset


def queries_per_minute(network: Network, *, minutes: int = 60, now: datetime | None = None) -> list[dict]:
    """[{"minute": datetime, "count": n}] for each of the last `minutes` minutes (zeros included)."""
    end = (now or timezone.now()).replace(second=0, microsecond=0) + timedelta(minutes=1)
    start = end - timedelta(minutes=minutes)
    counts = {
        row["minute"]: row["count"]
        for row in QueryLogEntry.objects.filter(network=network, queried_at__gte=start, queried_at__lt=end)
        .annotate(minute=TruncMinute("queried_at"))
        .values("minute")
        .annotate(count=Count("id"))
    }
    return [
        {"minute": start + timedelta(minutes=n), "count": counts.get(start + timedelta(minutes=n), 0)}
        for n in range(minutes)
    ]


# ---- what each unbound instance is told -------------------------------------------------------


def root_server() -> tuple[str, int]:
    """Our root listener (DNS_SERVER_LISTEN's root role): the resolvers' only root hint."""
    root = listeners_by_role(settings.DNS_SERVER_LISTEN)["root"]
    host = root.host
    if ipaddress.ip_address(host).is_unspecified:
        host = "::1" if ipaddress.ip_address(host).version == 6 else "127.0.0.1"
    return host, root.port


def system_server() -> str:
    return server_text(settings.RESOLVER_SYSTEM_ADDRESS, settings.RESOLVER_SYSTEM_PORT)


def system_instance_config() -> InstanceConfig:
    """The shared instance SYSTEM rules forward to: recursion from our root and nothing else."""
    return InstanceConfig(
        key="system",
        directory=settings.RESOLVER_DIR / "system",
        interfaces=((settings.RESOLVER_SYSTEM_ADDRESS, settings.RESOLVER_SYSTEM_PORT),),
        root_server=root_server(),
    )


def instance_config(network: Network) -> InstanceConfig | None:
    """What the network's unbound instance is told; None while it has no inbound endpoint."""
    interfaces = tuple(
        (address.ip, address.port)
        for address in EndpointAddress.objects.filter(
            endpoint__network=network, endpoint__direction=Direction.INBOUND
        ).order_by("ip", "port")
    )
    if not interfaces:
        return None
    network_rules = list(network.resolver_rules.select_related("outbound_endpoint"))
    specs = [
        RuleSpec(
            domain=rule.domain_name,
            rule_type=rule.rule_type,
            targets=tuple(server_text(target["ip"], target["port"]) for target in rule.target_ips),
        )
        for rule in network_rules
    ]
    private_zones = network.hosted_zones.filter(is_private=True).values_list("name", flat=True)
    zones = plan_zones(
        specs,
        list(private_zones),
        private_server=server_text(network.private_address, settings.DNS_PRIVATE_PORT),
        system_server=system_server(),
    )
    outgoing = sorted(
        {
            address.ip
            for rule in network_rules
            if rule.rule_type == RuleType.FORWARD and rule.outbound_endpoint is not None
            for address in rule.outbound_endpoint.addresses.all()
        }
    )
    cidrs = [str(ipaddress.ip_network(cidr, strict=False)) for cidr in network.cidrs]
    directory = settings.RESOLVER_DIR / str(network.pk)
    firewall: list[str] = []
    if settings.RESOLVER_FIREWALL_PRIMARY:
        firewall = firewall_services.rpz_clauses(
            network,
            primaries=[settings.RESOLVER_FIREWALL_PRIMARY],
            allow_notify=list(LOOPBACK_CIDRS),
            zonefile_dir=str(directory),
        )
    return InstanceConfig(
        key=str(network.pk),
        directory=directory,
        interfaces=interfaces,
        root_server=root_server(),
        access_control=tuple(dict.fromkeys([*cidrs, *LOOPBACK_CIDRS])),
        outgoing_interfaces=tuple(outgoing),
        zones=zones,
        is_query_logged=network.query_log_configs.exists(),
        firewall_clauses=tuple(firewall),
    )


def rpz_notify_targets(group: FirewallRuleGroup) -> list[str]:
    """Where our DNS server sends a NOTIFY for a rule group's new RPZ serial: "IP:PORT" of one
    inbound address of each network's resolver the group is associated with."""
    targets = []
    for association in group.associations.all():
        address = (
            EndpointAddress.objects.filter(
                endpoint__network_id=association.network_id, endpoint__direction=Direction.INBOUND
            )
            .order_by("ip", "port")
            .first()
        )
        if address is not None:
            targets.append(f"{address.ip}:{address.port}")
    return targets


def instance_configs() -> dict[str, InstanceConfig]:
    """Every instance that should run, by key: the system instance and each network's."""
    configs = {"system": system_instance_config()}
    for network in Network.objects.filter(resolver_endpoints__direction=Direction.INBOUND).distinct():
        config = instance_config(network)
        if config is not None:
            configs[config.key] = config
    return configs
