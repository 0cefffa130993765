import os

from django.conf import settings
from hypothesis import settings as hypothesis_settings

from kernel.testing import claim_redis_for_test_run

pytest_plugins = ["accounts.testing"]

# The suite's health checks probe local servers on 127.0.0.1; the tests of the refusals turn
# this off with the `settings` fixture. Django's settings are loaded before this file, so the
# value is set here and in the environment, for the processes the tests start (a worker).
os.environ["HEALTHCHECK_ALLOW_LOCAL_TARGETS"] = "1"
settings.HEALTHCHECK_ALLOW_LOCAL_TARGETS = True

# Property tests (Hypothesis) draw the same examples on every run of the suite, so a run
# passes or fails by the code alone. `HYPOTHESIS_PROFILE=explore` draws new ones to hunt for
# bugs; a failure it finds is replayed from .hypothesis/ and belongs in a test of its own.
hypothesis_settings.register_profile("suite", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


def pytest_sessionstart(session) -> None:
    # Held in the config until the run ends; see claim_redis_for_test_run.
    session.config.redis_claim = claim_redis_for_test_run(settings.REDIS_URL)
