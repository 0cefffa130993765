from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from console import tools

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
