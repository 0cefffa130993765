"""An idle every-second dispatcher keeps the worker's log quiet: its Celery lines go to DEBUG."""

import logging

import pytest
from celery.app.trace import LOG_RECEIVED, LOG_SUCCESS

from healthchecks import tasks

pytestmark = pytest.mark.django_db

TRACE = "celery.app.trace"
STRATEGY = "celery.worker.strategy"


def test_an_idle_dispatch_logs_nothing_at_info(caplog):
    caplog.set_level(logging.INFO)
    assert tasks.dispatch_due_checks.apply().get() == 0
    assert tasks.dispatch_alarm_events.apply().get() == 0
    logging.getLogger(STRATEGY).info(LOG_RECEIVED, {"id": "x", "name": "healthchecks.dispatch_due_checks"})
    assert [record.getMessage() for record in caplog.records] == []


def test_an_idle_dispatch_is_still_there_at_debug(caplog):
    caplog.set_level(logging.DEBUG)
    tasks.dispatch_due_checks.apply()
    [record] = [record for record in caplog.records if record.name == TRACE]
    assert record.levelname == "DEBUG"
    assert "healthchecks.dispatch_due_checks" in record.getMessage()
    assert record.getMessage().endswith(": 0")


def test_a_dispatch_that_queued_probes_logs_at_info(caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger(TRACE).info(
        LOG_SUCCESS,
        {"id": "x", "name": "healthchecks.dispatch_due_checks", "return_value": "3", "runtime": 0.01},
    )
    [record] = caplog.records
    assert record.levelname == "INFO" and record.getMessage().endswith(": 3")


def test_other_tasks_keep_their_info_lines(caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger(TRACE).info(
        LOG_SUCCESS, {"id": "x", "name": "healthchecks.run_probes", "return_value": "0", "runtime": 0.01}
    )
    assert [record.levelname for record in caplog.records] == ["INFO"]
