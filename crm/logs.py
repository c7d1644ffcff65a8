"""Log lines: one line per event as ``key=value`` pairs (logfmt), with request context and
no personal data beyond user ids.

- ``KeyValueFormatter`` writes ``time= level= logger= msg=`` plus any context the record
  carries (``status``, ``path``, ``user_id``, ``method``); a traceback, when kept, is one
  escaped ``exc=`` value, so a line is always one event.
- ``RequestContextFilter`` adds that context to Django's request records and drops the
  traceback of a 4xx (a 403 is a refusal, not a fault: who and where is enough).
- ``axes_client_str`` makes django-axes name the user by id, never by user name or address.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.contrib.auth import get_user_model

CONTEXT_KEYS = ("status", "method", "path", "user_id")
_BARE = re.compile(r"^[\w.:/@+-]+$")


def _value(value: object) -> str:
    text = str(value)
    if text and _BARE.match(text):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        pairs = [
            ("time", dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds")),
            ("level", record.levelname),
            ("logger", record.name),
            ("msg", record.getMessage()),
        ]
        pairs += [(key, getattr(record, key)) for key in CONTEXT_KEYS if getattr(record, key, None) is not None]
        if record.exc_info:
            pairs.append(("exc", self.formatException(record.exc_info)))
        return " ".join(f"{key}={_value(value)}" for key, value in pairs)


class RequestContextFilter(logging.Filter):
    """For records Django logs about a request (``django.request``, ``django.security.*``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        status = getattr(record, "status_code", None)
        if request is not None and hasattr(request, "path"):
            record.method = getattr(request, "method", None)
            record.path = request.path
            user = getattr(request, "user", None)
            record.user_id = user.pk if user is not None and user.is_authenticated else "-"
        if status is not None:
            record.status = status
            if 400 <= status < 500:
                record.exc_info = None
                record.exc_text = None
        return True


def axes_client_str(username, ip_address, user_agent, path_info, request) -> str:
    """django-axes' name for a client in its log lines (AXES_CLIENT_STR_CALLABLE)."""
    user_id = None
    if username and "\x00" not in username:
        user_id = get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()
    return f"user_id={user_id if user_id is not None else '-'} path={_value(path_info)}"
