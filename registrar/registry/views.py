"""The registry's public HTTP face: RDAP."""

import json

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from registrar.registry import rdap


@require_GET
def rdap_domain(request: HttpRequest, name: str) -> HttpResponse:
    """RDAP domain look-up (RFC 9082 §3.1.3), anonymous, JSON in the RDAP media type."""
    status, body = rdap.domain_response(name)
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/rdap+json"
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response
