from drf_spectacular.utils import extend_schema
from rest_framework import views
from rest_framework.response import Response

from console import tools
from console.serializers import DnsAnswerQuerySerializer, DnsAnswerSerializer
from kernel.ownership import get_owned_object_or_404
from zones.models import HostedZone


class DnsAnswerView(views.APIView):
    """Route 53's TestDNSAnswer: what our name server answers for a question, and why."""

    token_zone_scope = True

    def scoped_zone_id(self) -> str | None:
        return self.request.query_params.get("hosted_zone_id")

    @extend_schema(parameters=[DnsAnswerQuerySerializer], responses=DnsAnswerSerializer)
    def get(self, request) -> Response:
        query = DnsAnswerQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = dict(query.validated_data)
        zone = get_owned_object_or_404(HostedZone, request.user, pk=params.pop("hosted_zone_id"))
        report = tools.explain_dns_answer(hosted_zone=zone, **params)
        return Response(DnsAnswerSerializer(report).data)
