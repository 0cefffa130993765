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

BUILT_IN_REGIONS: dict[str, tuple[float, float]] = {
    "us-east-1": (38.9, -77.4),
    "us-east-2": (40.0, -83.0),
    "us-west-1": (37.4, -121.9),
    "us-west-2": (45.8, -119.7),
    "ca-central-1": (45.5, -73.6),
    "sa-east-1": (-23.5, -46.6),
    "eu-west-1": (53.3, -6.3),
    "eu-west-2": (51.5, -0.1),
    "eu-west-3": (48.9, 2.4),
    "eu-central-1": (50.1, 8.7),
    "eu-north-1": (59.3, 18.1),
    "eu-south-1": (45.5, 9.2),
    "me-south-1": (26.1, 50.6),
    "af-south-1": (-33.9, 18.4),
    "ap-south-1": (19.1, 72.9),
    "ap-east-1": (22.3, 114.2),
    "ap-southeast-1": (1.3, 103.8),
    "ap-southeast-2": (-33.9, 151.2),
    "ap-northeast-1": (35.7, 139.7),
    "ap-northeast-2": (37.6, 127.0),
    "ap-northeast-3": (34.7, 135.5),
}


@cache
def latency_regions() -> dict[str, tuple[float, float]]:
    """Region name → (latitude, longitude). Raises ImproperlyConfigured for a bad regions file."""
    path = settings.DNS_LATENCY_REGIONS_FILE
    if not path:
        return dict(BUILT_IN_REGIONS)
    try:
        items = json.loads(Path(path).read_text())
        return {str(item["name"]): (float(item["latitude"]), float(item["longitude"])) for item in items}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ImproperlyConfigured(f"DNS_LATENCY_REGIONS_FILE: {path} is not a list of regions ({error})")


def region_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(latency_regions())]
