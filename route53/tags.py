"""Tags of hosted zones (the zone's own tags, through zones.services) and health checks."""

from typing import Any

from route53 import health_checks
from route53.context import Caller
from route53.errors import invalid_input
from route53.models import HealthCheckReference
from zones import services

MAX_TAGS = 50


def _tags_of(caller: Caller, resource_type: str, resource_id: str) -> tuple[Any, dict[str, str]]:
    if resource_type == "hostedzone":
        zone = caller.hosted_zone(resource_id)
        return zone, dict(zone.tags or {})
    if resource_type == "healthcheck":
        check = health_checks.find_health_check(caller, resource_id)
        reference = HealthCheckReference.objects.filter(health_check=check).first()
        return check, dict(reference.tags if reference else {})
    raise invalid_input(f"ResourceType: {resource_type} is not hostedzone or healthcheck")


def _tag_set(resource_type: str, resource_id: str, tags: dict[str, str]) -> dict[str, Any]:
    bare = resource_id.rsplit("/", 1)[-1]
    return {
        "ResourceType": resource_type,
        "ResourceId": bare,
        "Tags": [{"Key": key, "Value": value} for key, value in sorted(tags.items())],
    }


def change_tags_for_resource(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("ChangeTagsForResource")
    resource_type = params["ResourceType"]
    resource, tags = _tags_of(caller, resource_type, params["ResourceId"])
    for key in params.get("RemoveTagKeys") or ():
        tags.pop(key, None)
    for tag in params.get("AddTags") or ():
        tags[tag.get("Key", "")] = tag.get("Value", "")
    if len(tags) > MAX_TAGS:
        raise invalid_input(f"Tags: a resource has at most {MAX_TAGS} tags, not {len(tags)}")
    if resource_type == "hostedzone":
        services.update_hosted_zone(resource, tags=tags)
    else:
        HealthCheckReference.objects.update_or_create(
            health_check=resource,
            defaults={"tags": tags},
            create_defaults={"tags": tags, "caller_reference": f"nameplate-{resource.pk}"},
        )
    return {}


def list_tags_for_resource(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    _resource, tags = _tags_of(caller, params["ResourceType"], params["ResourceId"])
    return {"ResourceTagSet": _tag_set(params["ResourceType"], params["ResourceId"], tags)}


def list_tags_for_resources(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    sets = []
    for resource_id in params.get("ResourceIds") or ():
        _resource, tags = _tags_of(caller, params["ResourceType"], resource_id)
        sets.append(_tag_set(params["ResourceType"], resource_id, tags))
    return {"ResourceTagSets": sets}
