"""Time travel for tests: `travel_to(monkeypatch, moment)` makes django.utils.timezone.now answer `moment`."""

from datetime import datetime

from django.utils import timezone


def travel_to(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment)
