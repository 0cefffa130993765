"""Zone serials: the next one (RFC 1982 arithmetic within 32 bits) and the SOA that carries it."""

from django.utils import timezone

from zones import rules
from zones.models import HostedZone, RecordSet

MAX_SERIAL = 2**32 - 1


def next_serial(serial: int) -> int:
    """The serial after `serial`, wrapping within 32 bits (RFC 1982) and never 0."""
    return serial + 1 if serial < MAX_SERIAL else 1


def set_soa_serial(zone: HostedZone) -> None:
    """Write the zone's serial into its SOA record set."""
    soa = RecordSet.objects.filter(hosted_zone=zone, name=zone.name, type="SOA").first()
    if soa is None:
        return
    fields = rules.parse_soa(soa.values[0])
    fields["serial"] = zone.serial
    RecordSet.objects.filter(pk=soa.pk).update(values=[rules.soa_value(**fields)], updated_at=timezone.now())
