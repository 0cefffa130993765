"""Log formatters: one line per event, as plain text or as one JSON object (LOG_FORMAT).

A log shipper splits its input at newlines, so a traceback or a message with a newline in it
must not become several events: the plain formatter escapes newlines, the JSON one encodes them.
"""

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
