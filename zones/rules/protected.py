"""The protected record sets, the SOA and the apex NS: their fixed parts and what may change."""

import dns.exception
import dns.rdata
import dns.rdataclass
import dns.rdatatype

from zones.rules.problems import Problem, error_reason

SOA_REFRESH, SOA_RETRY, SOA_EXPIRE, SOA_MINIMUM, SOA_TTL = 7200, 900, 1209600, 86400, 900
NS_TTL = 172800


def soa_value(
    *, mname: str, rname: str, serial: int, refresh: int, retry: int, expire: int, minimum: int
) -> str:
    """The SOA rdata text, built by dnspython."""
    rdata = dns.rdata.from_text(
        dns.rdataclass.IN,
        dns.rdatatype.SOA,
        f"{mname} {rname} {serial} {refresh} {retry} {expire} {minimum}",
    )
    return rdata.to_text()


def parse_soa(value: str) -> dict:
    """The SOA's fields from its rdata text."""
    rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.SOA, value)
    return {
        "mname": rdata.mname.to_text(),
        "rname": rdata.rname.to_text(),
        "serial": rdata.serial,
        "refresh": rdata.refresh,
        "retry": rdata.retry,
        "expire": rdata.expire,
        "minimum": rdata.minimum,
    }


def check_soa_edit(current: str, proposed: str) -> list[Problem]:
    """Only the SOA's timers may change; its name servers, contact and serial are the system's."""
    try:
        before, after = parse_soa(current), parse_soa(proposed)
    except dns.exception.DNSException as error:
        reason = f"{proposed} is not a valid SOA value ({error_reason(error)})"
        return [Problem("values", reason, subject="value")]
    for fixed in ("mname", "rname"):
        if before[fixed] != after[fixed]:
            return [Problem("values", f"the SOA's {fixed} is managed by the system", subject="value")]
    return []
