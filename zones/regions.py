"""Latency regions: the names a latency record set may use and where each region is.

Configurable with DNS_LATENCY_REGIONS_FILE (a JSON list of {"name", "latitude", "longitude"});
without it, the built-in list of the AWS region names operators already know. The snapshot
compiler hands `latency_regions()` to the answer engine, so both use the same list.
"""

import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from zones.engine import DEFAULT_REGIONS


@cache
def latency_regions() -> dict[str, tuple[float, float]]:
    """Region name → (latitude, longitude). Raises ImproperlyConfigured for a bad regions file."""
    path = settings.DNS_LATENCY_REGIONS_FILE
    if not path:
        return dict(DEFAULT_REGIONS)
    try:
        items = json.loads(Path(path).read_text())
        return {str(item["name"]): (float(item["latitude"]), float(item["longitude"])) for item in items}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ImproperlyConfigured(f"DNS_LATENCY_REGIONS_FILE: {path} is not a list of regions ({error})")


def region_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(latency_regions())]
