"""JSON logs: one object per line on stderr, each carrying the request id it belongs to."""

from __future__ import annotations

import json
import logging
import logging.config
import time
from contextvars import ContextVar
from typing import Any

# Set by the request middleware. Each ASGI request runs in its own task, and sync routes run in
# a copy of that task's context, so every log line written while serving it sees its id.
request_id_var: ContextVar[str | None] = ContextVar("tiendo_request_id", default=None)


class JsonFormatter(logging.Formatter):
    """ts, level, logger, msg, request_id, the record's `fields` (if any) and the stack.

    Cheap on purpose, since the request log writes a line per request: the timestamp is
    rebuilt once a second, records skip thread and process names that no line shows, and
    the request lines keep json's fast ASCII escaping."""

    def __init__(self) -> None:
        super().__init__()
        logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
        self._second, self._stamp = -1, ""

    def _ts(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._stamp}.{int(record.msecs):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": self._ts(record),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if fields:
            out.update(fields)
            return json.dumps(out, default=str)
        request_id = request_id_var.get()
        if request_id:
            out["request_id"] = request_id
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            out["stack"] = record.stack_info
        return json.dumps(out, ensure_ascii=False, default=str)


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """A dictConfig for the app and uvicorn alike (uvicorn applies it in every worker)."""
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json",
                               "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "alembic": {"level": "WARNING"},  # the schema check at each start is not news
            # Our middleware writes the request log; uvicorn's own would double it.
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


def configure_logging(level: str = "INFO") -> None:
    """JSON logging, unless the process already set up its own (as `tiendo serve` does)."""
    if not logging.getLogger().handlers:
        logging.config.dictConfig(logging_config(level))
