"""The domain-expiry alarm rule; the alarms on real domains are tested in registrar/tests."""

from datetime import timedelta

import pytest
from django.utils import timezone

from healthchecks import rules

NOW = timezone.now()


@pytest.mark.parametrize(
    ("expires_in_days", "warning_days", "expected"),
    [(60, 30, False), (30, 30, True), (10, 30, True), (-1, 30, True), (None, 30, False), (8, 7, False)],
)
def test_expiry_alarm_rule(expires_in_days, warning_days, expected):
    expires_at = None if expires_in_days is None else NOW + timedelta(days=expires_in_days)
    assert rules.is_expiry_alarming(expires_at, now=NOW, warning_days=warning_days) is expected
