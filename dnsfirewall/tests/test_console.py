"""The console pages of the DNS Firewall: domain lists with import, rule groups, associations."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.testing import assert_hidden_from
from dnsfirewall import services
from dnsfirewall.models import FirewallDomainList, FirewallRule, FirewallRuleGroupAssociation

pytestmark = pytest.mark.django_db


def test_a_domain_list_is_typed_and_imported_from_a_file(owner, owner_client):
    upload = SimpleUploadedFile("blocklist.txt", b"# ads\nads.example.net\n*.tracker.example\n")
    response = owner_client.post(
        "/firewall/domain-lists/", {"name": "ads", "domains": "typed.example.com", "file": upload}
    )
    assert response.status_code == 302
    domain_list = FirewallDomainList.objects.get(owner=owner, name="ads")
    assert domain_list.domains == ["typed.example.com", "ads.example.net", "*.tracker.example"]
    page = owner_client.get(response.url)
    assert "saved with 3 domains" in page.content.decode()


def test_a_bad_line_in_an_imported_file_is_shown_beside_the_field(owner_client):
    upload = SimpleUploadedFile("blocklist.txt", b"ok.example\nnot a domain\n")
    response = owner_client.post("/firewall/domain-lists/", {"name": "ads", "file": upload})
    assert response.status_code == 200
    assert "line 2: not a domain is not a domain name" in response.content.decode()
    assert not FirewallDomainList.objects.exists()


def test_importing_a_file_into_a_list_adds_to_it(owner_client, domain_list):
    upload = SimpleUploadedFile("more.txt", b"more.example.com\n")
    response = owner_client.post(
        f"/firewall/domain-lists/{domain_list.pk}/",
        {"name": domain_list.name, "domains": "", "file": upload, "operation": "ADD"},
    )
    assert response.status_code == 302
    domain_list.refresh_from_db()
    assert domain_list.domains == ["bad.example.com", "more.example.com"]


def test_rules_are_added_in_priority_order_and_the_group_associated(
    owner_client, group, domain_list, network
):
    url = f"/firewall/rule-groups/{group.pk}/"
    for priority, action in ((200, "ALERT"), (100, "BLOCK")):
        response = owner_client.post(
            url,
            {
                "rule-name": f"{action.lower()} rule",
                "rule-priority": priority,
                "rule-domain_list": domain_list.pk,
                "rule-action": action,
                "rule-block_response": "NXDOMAIN" if action == "BLOCK" else "",
                "rule-override_ttl": 60,
            },
            follow=True,
        )
        assert response.redirect_chain == [(url, 302)]
    response = owner_client.post(
        f"{url}associations/", {"association-network": network.pk, "association-priority": 100}, follow=True
    )
    assert response.redirect_chain == [(url, 302)]
    page = response.content.decode()
    table = page[page.index("<h2>Rules</h2>") :]
    assert table.index("block rule") < table.index("alert rule")
    assert "office" in page
    assert FirewallRuleGroupAssociation.objects.get(group=group).network == network


def test_a_rule_form_error_stays_beside_its_field(owner_client, group, domain_list):
    response = owner_client.post(
        f"/firewall/rule-groups/{group.pk}/",
        {
            "rule-name": "override",
            "rule-priority": 1,
            "rule-domain_list": domain_list.pk,
            "rule-action": "BLOCK",
            "rule-block_response": "OVERRIDE",
            "rule-override_type": "A",
            "rule-override_value": "300.1.2.3",
            "rule-override_ttl": 60,
        },
    )
    assert response.status_code == 200
    assert "300.1.2.3 is not a A value" in response.content.decode()
    assert not FirewallRule.objects.exists()


def test_another_account_sees_none_of_your_firewall_pages(other_client, group, domain_list, network):
    rule = services.save_rule(group=group, domain_list=domain_list, name="r", priority=1, action="ALERT")
    association = services.associate_rule_group(group=group, network=network, priority=1)
    assert_hidden_from(
        other_client,
        [
            ("get", f"/firewall/domain-lists/{domain_list.pk}/"),
            ("post", f"/firewall/domain-lists/{domain_list.pk}/delete/"),
            ("get", f"/firewall/rule-groups/{group.pk}/"),
            ("post", f"/firewall/rule-groups/{group.pk}/delete/"),
            ("post", f"/firewall/rule-groups/{group.pk}/associations/"),
            ("post", f"/firewall/rules/{rule.pk}/delete/"),
            ("post", f"/firewall/associations/{association.pk}/delete/"),
        ],
    )
    for url in ("/firewall/", "/firewall/domain-lists/"):
        page = other_client.get(url).content.decode()
        assert group.name not in page and domain_list.name not in page


def test_your_rule_form_offers_only_your_lists_and_networks(other_client, other_group, domain_list, network):
    page = other_client.get(f"/firewall/rule-groups/{other_group.pk}/").content.decode()
    assert domain_list.name not in page and network.name not in page
    response = other_client.post(
        f"/firewall/rule-groups/{other_group.pk}/associations/",
        {"association-network": network.pk, "association-priority": 1},
        follow=True,
    )
    assert "Select a valid choice" in response.content.decode()
    assert network.name not in response.content.decode()
    assert not FirewallRuleGroupAssociation.objects.exists()
