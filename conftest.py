import os

from django.conf import settings

pytest_plugins = ["accounts.testing"]

# The suite's health checks probe local servers on 127.0.0.1; the tests of the refusals turn
# this off with the `settings` fixture. Django's settings are loaded before this file, so the
# value is set here and in the environment, for the processes the tests start (a worker).
os.environ["HEALTHCHECK_ALLOW_LOCAL_TARGETS"] = "1"
settings.HEALTHCHECK_ALLOW_LOCAL_TARGETS = True
