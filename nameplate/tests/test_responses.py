"""What every response carries, and the pages shown instead of Django's debug pages."""

import pytest
from django.test import Client, RequestFactory, override_settings
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split(" ", 1)[1] for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.parametrize("path", ["/", "/account/login/", "/api/docs/", "/tools/"])
def test_pages_allow_only_our_own_files(path):
    response = Client().get(path)
    assert response.status_code == 200
    directives = policy(response)
    for directive in ("default-src", "script-src", "style-src", "connect-src"):
        assert directives[directive] == "'self'", (directive, directives)
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    html = response.content.decode()
    # Nothing the policy would block: no inline script or style, no other origin.
    assert "<style" not in html and "style=" not in html
    assert "<script>" not in html.replace(" ", "")
    assert "http://" not in html.split("<body", 1)[-1].replace("http://testserver", "")


def test_the_swagger_page_loads_its_script_from_our_own_address():
    html = Client().get("/api/docs/").content.decode()
    assert 'src="/api/docs/?script=' in html or "/api/docs/?script" in html
    script = Client().get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


@override_settings(DEBUG=False)
def test_a_missing_page_is_our_own_404():
    response = Client().get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and "Back to the start page" in html
    assert "Using the URLconf" not in html  # Django's debug page


@override_settings(DEBUG=False)
def test_a_server_error_is_our_own_500():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html and "Traceback" not in html
