"""Our registrar: search, cart, checkout, the ledger, renewals, transfers, name servers.

Every service runs in one transaction and reaches the registry only through
`registrar.registry.commands`; a refusal there rolls the whole service back (no charge
without a domain, no domain without a charge). Mails are sent after commit.

from registrar import services
services.add_to_cart(owner=user, name="example.com", years=1)
order = services.checkout(owner=user, idempotency_key=key, contact=contact)
"""

from registrar.services.cart import (
    MAX_CART_ITEMS,
    add_to_cart,
    cart_total_cents,
    remove_from_cart,
    update_cart_item,
)
from registrar.services.contacts import CONTACT_FIELDS, clean_contact, update_contact
from registrar.services.delegation import (
    add_ds_record,
    attach_hosted_zone,
    create_glue_host,
    delete_glue_host,
    describe_zone,
    domain_holders,
    find_glue_host,
    glue_hosts,
    hosted_zones_named,
    remove_ds_record,
    set_name_servers,
    update_glue_host,
    use_hosted_zone,
)
from registrar.services.domain_settings import auth_code, reset_auth_code, update_settings
from registrar.services.ledger import (
    MAX_TOP_UP_CENTS,
    MIN_TOP_UP_CENTS,
    balance_cents,
    format_cents,
    top_up,
)
from registrar.services.orders import checkout, new_idempotency_key
from registrar.services.pricing import Offer, SearchResult, check_names, price_list, search_domains
from registrar.services.registry_messages import read_registry_messages
from registrar.services.renewals import (
    auto_renew_domains,
    renew_domain,
    restore_domain,
    send_renewal_reminders,
)
from registrar.services.session import client_id, domain_info
from registrar.services.sync import sync_with_registry
from registrar.services.transfers import (
    approve_transfer_out,
    cancel_transfer_in,
    reject_transfer_out,
    request_transfer_out,
    transfer_in,
)

__all__ = [
    "CONTACT_FIELDS",
    "MAX_CART_ITEMS",
    "MAX_TOP_UP_CENTS",
    "MIN_TOP_UP_CENTS",
    "Offer",
    "SearchResult",
    "add_ds_record",
    "add_to_cart",
    "approve_transfer_out",
    "attach_hosted_zone",
    "auth_code",
    "auto_renew_domains",
    "balance_cents",
    "cancel_transfer_in",
    "cart_total_cents",
    "check_names",
    "checkout",
    "clean_contact",
    "client_id",
    "create_glue_host",
    "delete_glue_host",
    "describe_zone",
    "domain_holders",
    "domain_info",
    "find_glue_host",
    "format_cents",
    "glue_hosts",
    "hosted_zones_named",
    "new_idempotency_key",
    "price_list",
    "read_registry_messages",
    "reject_transfer_out",
    "remove_ds_record",
    "remove_from_cart",
    "renew_domain",
    "request_transfer_out",
    "reset_auth_code",
    "restore_domain",
    "search_domains",
    "send_renewal_reminders",
    "set_name_servers",
    "sync_with_registry",
    "top_up",
    "transfer_in",
    "update_cart_item",
    "update_contact",
    "update_glue_host",
    "update_settings",
    "use_hosted_zone",
]
