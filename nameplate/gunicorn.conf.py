"""gunicorn's configuration: `gunicorn -c nameplate/gunicorn.conf.py` (it names the WSGI app).

Every value comes from the settings (the `# ---- web server` block), so the environment
variables documented there are the only knobs. The master also serves the workers' summed
Prometheus metrics on METRICS_WEB_LISTEN (nameplate/metrics.py).
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

# gunicorn loads this file by path: the project's root must be importable for the settings.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nameplate.settings")

# prometheus-client reads this when first imported, so it is set before anything imports it:
# each worker then writes its values to files here, and the master sums them.
_metrics_directory = tempfile.mkdtemp(prefix="nameplate-web-metrics-")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_directory

# After the path, the settings module and the metrics directory are set.
from django.conf import settings  # noqa: E402
from prometheus_client import multiprocess  # noqa: E402

from nameplate import metrics  # noqa: E402
from nameplate.logging import gunicorn_log_config  # noqa: E402

wsgi_app = "nameplate.wsgi:application"
bind = [settings.WEB_BIND]
worker_class = settings.WEB_WORKER_CLASS
workers = settings.WEB_WORKERS
# gunicorn turns a sync worker with threads > 1 into gthread: WEB_THREADS is for gthread only.
threads = settings.WEB_THREADS if settings.WEB_WORKER_CLASS == "gthread" else 1
timeout = settings.WEB_TIMEOUT_SECONDS
graceful_timeout = settings.WEB_GRACEFUL_TIMEOUT_SECONDS
keepalive = settings.WEB_KEEPALIVE_SECONDS
# One host may run several gunicorns (the web, a benchmark): none needs gunicorn's control socket.
control_socket_disable = True
# Start-up, worker and access lines go through the settings' handler and formatter (LOG_FORMAT);
# with a logconfig_dict gunicorn writes an access line per request without `accesslog`.
logconfig_dict = gunicorn_log_config(settings.LOGGING)
loglevel = settings.LOGGING["root"]["level"].lower()
# The proxy in front (deploy/) sets X-Forwarded-*; it is on the same host or a private link.
forwarded_allow_ips = settings.WEB_FORWARDED_ALLOW_IPS


def when_ready(server) -> None:
    metrics.start_listener(settings.METRICS_WEB_LISTEN, registry=metrics.multiprocess_registry())


def child_exit(server, worker) -> None:
    multiprocess.mark_process_dead(worker.pid, path=_metrics_directory)


def on_exit(server) -> None:
    shutil.rmtree(_metrics_directory, ignore_errors=True)
