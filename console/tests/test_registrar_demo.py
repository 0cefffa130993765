import pytest

from console.demo import ensure_demo_user
from registrar import services
from registrar.demo import DEMO_DOMAINS, load_demo_domains
from registrar.models import LedgerEntry
from registrar.registry import models as registry_models

pytestmark = pytest.mark.django_db


def test_demo_user_owns_two_domains_bought_through_the_normal_flow():
    user = ensure_demo_user()
    first = load_demo_domains(user)
    assert sorted(d.name for d in first) == sorted(DEMO_DOMAINS)
    assert all(d.hosted_zone_id and len(d.name_servers) == 4 for d in first)
    for domain in first:
        assert registry_models.DomainObject.objects.get(name=domain.name).name_servers == domain.name_servers
    charges = LedgerEntry.objects.filter(owner=user, kind="charge").count()
    again = load_demo_domains(user)
    assert sorted(d.pk for d in again) == sorted(d.pk for d in first)
    assert LedgerEntry.objects.filter(owner=user, kind="charge").count() == charges == 1
    assert services.balance_cents(user) >= 0
