"""show_service_error: a refusal lands beside its field, on top of the form, or in messages, in
plain words: never with the "<field>: " the API's message starts with."""

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from kernel.errors import ServiceError
from kernel.views import show_service_error


class NameForm(forms.Form):
    name = forms.CharField()


def bound_form() -> NameForm:
    form = NameForm({"name": "example.com"})
    assert form.is_valid()
    return form


def test_an_error_naming_a_field_of_the_form_sits_beside_it():
    form = bound_form()
    show_service_error(form, ServiceError("name: example.com is taken", "name"))
    assert form.errors == {"name": ["example.com is taken"]}


def test_an_error_naming_no_field_of_the_form_sits_on_top():
    form = bound_form()
    show_service_error(form, ServiceError("balance: not enough credit", "balance"))
    assert form.non_field_errors() == ["not enough credit"]
    assert "name" not in form.errors


def test_renames_map_a_service_field_onto_the_form_or_onto_the_top():
    form = bound_form()
    show_service_error(form, ServiceError("label: too long", "label"), renames={"label": "name"})
    show_service_error(form, ServiceError("years: too many", "years"), renames={"years": None})
    assert form.errors["name"] == ["too long"]
    assert form.non_field_errors() == ["too many"]


def test_on_a_request_the_error_becomes_a_message():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    show_service_error(request, ServiceError("the domain is locked", "domain"))
    assert [(message.level_tag, str(message)) for message in get_messages(request)] == [
        ("error", "the domain is locked")
    ]


def test_reason_defaults_to_the_message_and_can_be_given_apart():
    assert ServiceError("no such zone").reason == "no such zone"
    error = ServiceError("ttl: -1 is out of range", "ttl", reason="-1 is out of range")
    assert (error.field, error.reason, error.message) == (
        "ttl",
        "-1 is out of range",
        "ttl: -1 is out of range",
    )


def test_a_reason_given_apart_is_what_the_form_shows():
    form = bound_form()
    show_service_error(form, ServiceError("ttl: -1 is out of range", "name", reason="-1 is out of range"))
    assert form.errors["name"] == ["-1 is out of range"]


def test_a_message_on_a_request_loses_its_field_prefix_too():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    show_service_error(request, ServiceError("name_servers: enter at least two", "name_servers"))
    assert [str(message) for message in get_messages(request)] == ["enter at least two"]
