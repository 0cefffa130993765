"""DS records: only IANA-assigned algorithms and digest types with the right digest length, and
none for a domain on our (unsigned) hosted zone."""

import pytest

from registrar import dnssec
from registrar.models import Domain
from registrar.registry.zonedata import build_tld_zone
from registrar.tests.conftest import buy

BASE = "/api/v1"
GOOD = {"key_tag": 2371, "algorithm": 13, "digest_type": 2, "digest": "ab" * 32}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"algorithm": 250, "digest_type": 99},
            "DS record: algorithm 250 is not an assigned DNSSEC algorithm (IANA)",
        ),
        ({"digest_type": 99}, "DS record: digest type 99 is not an assigned DS digest type (IANA)"),
        ({"digest_type": 0}, "DS record: digest type 0 is not an assigned DS digest type (IANA)"),
        ({"algorithm": 2}, "DS record: algorithm 2 is not used to sign zones (IANA)"),
        ({"algorithm": 1}, "DS record: algorithm 1 is not used to sign zones (IANA)"),
        ({"algorithm": 252}, "DS record: algorithm 252 is not used to sign zones (IANA)"),
        (
            {"digest": "ab" * 20},
            "DS record: a SHA256 digest is 32 octets (64 hexadecimal digits), not 20",
        ),
        (
            {"digest_type": 4},
            "DS record: a SHA384 digest is 48 octets (96 hexadecimal digits), not 32",
        ),
        (
            {"digest_type": 1},
            "DS record: a SHA1 digest is 20 octets (40 hexadecimal digits), not 32",
        ),
    ],
)
def test_ds_rules_refuse_unassigned_numbers_and_wrong_lengths(change, message):
    data = {**GOOD, **change}
    with pytest.raises(dnssec.DsProblem) as problem:
        dnssec.parse_ds(data["key_tag"], data["algorithm"], data["digest_type"], data["digest"])
    assert problem.value.message == message


@pytest.mark.parametrize(
    ("algorithm", "digest_type", "digest"),
    [(13, 2, "ab" * 32), (8, 1, "cd" * 20), (14, 4, "ef" * 48), (15, 2, "01" * 32), (253, 2, "23" * 32)],
)
def test_ds_rules_accept_assigned_numbers(algorithm, digest_type, digest):
    ds = dnssec.parse_ds(1, algorithm, digest_type, digest)
    assert (ds.algorithm, ds.digest_type, ds.digest) == (algorithm, digest_type, digest.upper())


@pytest.fixture
def external_domain(funded_owner, owner_api) -> Domain:
    """A domain delegated to a DNS provider elsewhere, which signs the zone."""
    buy(funded_owner, "signed-elsewhere.com")
    domain = Domain.objects.get(name="signed-elsewhere.com")
    owner_api.put(
        f"{BASE}/domains/{domain.pk}/name-servers",
        {"name_servers": ["ns1.provider.test", "ns2.provider.test"]},
        format="json",
    )
    return domain


@pytest.mark.django_db
def test_unassigned_algorithm_and_digest_type_are_refused_over_the_api(owner_api, external_domain):
    url = f"{BASE}/domains/{external_domain.pk}/ds"
    refused = owner_api.post(url, {**GOOD, "algorithm": 250, "digest_type": 99})
    assert refused.status_code == 400
    assert refused.json() == {"ds": ["DS record: algorithm 250 is not an assigned DNSSEC algorithm (IANA)"]}
    short = owner_api.post(url, {**GOOD, "digest": "ab" * 31})
    assert short.json() == {"ds": ["DS record: a SHA256 digest is 32 octets (64 hexadecimal digits), not 31"]}
    assert build_tld_zone("com").get_rdataset("signed-elsewhere.com.", "DS") is None

    added = owner_api.post(url, GOOD)
    assert added.status_code == 200 and added.json()["ds"] == [{**GOOD, "digest": "AB" * 32}]
    published = build_tld_zone("com").get_rdataset("signed-elsewhere.com.", "DS")
    assert [rdata.to_text() for rdata in published] == [f"2371 13 2 {'ab' * 32}"]


@pytest.mark.django_db
def test_a_ds_for_a_domain_on_its_unsigned_hosted_zone_is_refused_with_the_reason(owner_api, funded_owner):
    buy(funded_owner, "unsigned-here.com")
    domain = Domain.objects.get(name="unsigned-here.com")
    refused = owner_api.post(f"{BASE}/domains/{domain.pk}/ds", GOOD)
    assert refused.status_code == 400
    assert refused.json() == {
        "ds": [
            "ds: unsigned-here.com is delegated to its hosted zone here, which is not signed: with a DS "
            "record at the registry, every validating resolver would reject the domain's answers "
            "(SERVFAIL). DNSSEC signing of hosted zones comes later; until then the delegation stays "
            "unsigned."
        ]
    }
    assert owner_api.get(f"{BASE}/domains/{domain.pk}/registry").json()["ds"] == []
    assert build_tld_zone("com").get_rdataset("unsigned-here.com.", "DS") is None


@pytest.mark.django_db
def test_back_to_the_hosted_zone_is_refused_while_ds_records_remain(owner_api, external_domain):
    owner_api.post(f"{BASE}/domains/{external_domain.pk}/ds", GOOD)
    url = f"{BASE}/domains/{external_domain.pk}/name-servers"
    refused = owner_api.put(url, {"use_hosted_zone": True}, format="json")
    assert refused.json() == {
        "name_servers": [
            "name servers: signed-elsewhere.com has DS records at the registry and its hosted zone here is "
            "not signed, so validating resolvers would reject every answer (SERVFAIL); remove the DS "
            "records first."
        ]
    }
    assert owner_api.post(f"{BASE}/domains/{external_domain.pk}/ds/remove", GOOD).status_code == 200
    assert owner_api.put(url, {"use_hosted_zone": True}, format="json").json()["uses_hosted_zone"] is True


@pytest.mark.django_db
def test_the_console_explains_ds_for_hosted_and_warns_for_external_name_servers(
    owner_client, funded_owner, external_domain
):
    page = owner_client.get(f"/domains/{external_domain.pk}/").content.decode()
    assert 'id="ds-warning"' in page and "A DS that matches no key makes validating resolvers fail" in page
    assert '<option value="13" selected>13 ECDSAP256SHA256</option>' in page
    added = owner_client.post(
        f"/domains/{external_domain.pk}/ds/add/",
        {"key_tag": "7", "algorithm": "13", "digest_type": "2", "digest": "ab" * 32},
        follow=True,
    )
    assert "Check that your DNS provider signs the zone with the matching key" in added.content.decode()

    buy(funded_owner, "console-unsigned.com")
    hosted = Domain.objects.get(name="console-unsigned.com")
    page = owner_client.get(f"/domains/{hosted.pk}/").content.decode()
    assert 'id="ds-unsigned"' in page and "Your hosted zone here is not signed" in page
    refused = owner_client.post(
        f"/domains/{hosted.pk}/ds/add/",
        {"key_tag": "7", "algorithm": "13", "digest_type": "2", "digest": "ab" * 32},
    )
    assert refused.status_code == 400
    assert "is delegated to its hosted zone here, which is not signed" in refused.content.decode()
