"""Log formatters: one line per event, as plain text or as one JSON object (LOG_FORMAT).

A log shipper splits its input at newlines, so a traceback or a message with a newline in it
must not become several events: the plain formatter escapes newlines, the JSON one encodes them.
gunicorn's own lines go through the same formatters (`gunicorn_log_config`).
"""

import copy
import json
import logging
from datetime import UTC, datetime


class OneLineFormatter(logging.Formatter):
    """The standard formatter with every newline (tracebacks included) written as \\n."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\n", "\\n")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, process, exception."""

    def format(self, record: logging.LogRecord) -> str:
        event = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            event["stack"] = self.formatStack(record.stack_info)
        return json.dumps(event, ensure_ascii=False, default=str)


def gunicorn_log_config(django_logging: dict) -> dict:
    """gunicorn's `logconfig_dict`: its error log (start-up, workers) and access log written by
    the settings' handler and formatter, so that they follow LOG_FORMAT as Django's lines do.

    gunicorn merges this over its own defaults key by key, so every key it has is given here.
    """
    handler_names = list(django_logging["handlers"])
    return {
        "version": 1,
        "disable_existing_loggers": False,
        # Copies: the settings' own dictionary is configured again by each worker's Django.
        "formatters": copy.deepcopy(django_logging["formatters"]),
        "handlers": copy.deepcopy(django_logging["handlers"]),
        "root": copy.deepcopy(django_logging["root"]),
        "loggers": {
            "gunicorn.error": {
                "level": django_logging["root"]["level"],
                "handlers": handler_names,
                "propagate": False,
            },
            # One line per request whatever LOG_LEVEL says, as gunicorn's own access log does.
            "gunicorn.access": {"level": "INFO", "handlers": handler_names, "propagate": False},
        },
    }
