from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from console import tools
from kernel.views import show_service_error
from zones.models import HostedZone

RECORD_TYPES = ["A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA", "SRV", "CAA", "PTR", "DS", "HTTPS", "SVCB"]


class TraceForm(forms.Form):
    name = forms.CharField(max_length=253, help_text="A domain name, e.g. www.nameplate-demo.com")
    type = forms.ChoiceField(choices=[(t, t) for t in RECORD_TYPES], initial="A")


def tool_index(request: HttpRequest) -> HttpResponse:
    return render(request, "console/tools/index.html")


def trace(request: HttpRequest) -> HttpResponse:
    form = TraceForm(request.GET or None)
    result = None
    if form.is_valid():
        result = tools.run_trace(form.cleaned_data["name"], form.cleaned_data["type"])
    return render(request, "console/tools/trace.html", {"form": form, "result": result})


class AnswerForm(forms.Form):
    hosted_zone = forms.ModelChoiceField(queryset=HostedZone.objects.none(), empty_label=None)
    record_name = forms.CharField(
        max_length=253, help_text="Relative to the zone (www) or absolute (www.example.com.); @ is the apex."
    )
    record_type = forms.ChoiceField(choices=[(t, t) for t in RECORD_TYPES], initial="A")
    resolver_ip = forms.CharField(
        required=False,
        label="Resolver address",
        help_text="The address the question comes from, e.g. 81.2.69.160 (London). Empty: no address.",
    )
    client_subnet = forms.CharField(
        required=False,
        label="EDNS client subnet",
        help_text="Optional, e.g. 203.0.113.0/24: the client's network as its resolver passes it on.",
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hosted_zone"].queryset = HostedZone.objects.owned_by(user)


@login_required
def test_answer(request: HttpRequest) -> HttpResponse:
    form = AnswerForm(request.GET or None, user=request.user)
    report = None
    if form.is_valid():
        try:
            report = tools.explain_dns_answer(**form.cleaned_data)
        except tools.ToolError as error:
            show_service_error(form, error)
    return render(request, "console/tools/test_answer.html", {"form": form, "report": report})
