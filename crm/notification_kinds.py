"""What each kind of notification says (issue 12, item 7).

A notification stores its kind and parameters, not sentences: each kind is registered here
with its wording by the app that makes it (``register_kind``, at import of the module that
notifies; every app's ``ready()`` imports it), and ``notification_text`` renders it in the
reader's language when it is shown. Dates are stored as ISO strings and formatted then.

Apart from crm.notifications so that modules it imports (crm.services, through crm.tasks)
can register their kinds at import time.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils import formats
from django.utils.translation import gettext

from .bilingual import in_language

if TYPE_CHECKING:
    from .models import Notification

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotificationKind:
    """How a kind of notification reads. ``title`` is a msgid marked with ``gettext_noop``
    (or a function of the parameters that returns one, for kinds with two wordings) and is
    filled with ``%(name)s`` parameters; the parameters named in ``dates`` are ISO dates, and
    those in ``choices`` are codes of a ``TextChoices`` shown by their label; for those in
    ``bilingual`` (data with a Chinese twin, such as a template's name) ``name`` holds the
    English text and ``name_zh`` the Chinese one, and the reader's language picks."""

    kind: str
    title: str | Callable[[Mapping[str, Any]], str]
    dates: tuple[str, ...] = ("date",)
    choices: Mapping[str, Any] = field(default_factory=dict)
    bilingual: tuple[str, ...] = ()


# Filled by each app when its module that notifies is imported (every app's ready() imports
# it), so a page can show any kind without importing the app that made it.
NOTIFICATION_KINDS: dict[str, NotificationKind] = {}


def register_kind(
    kind: str,
    title: str | Callable[[Mapping[str, Any]], str],
    *,
    dates: tuple[str, ...] = ("date",),
    choices: Mapping[str, Any] | None = None,
    bilingual: tuple[str, ...] = (),
) -> str:
    NOTIFICATION_KINDS[kind] = NotificationKind(
        kind=kind, title=title, dates=dates, choices=choices or {}, bilingual=bilingual
    )
    return kind


def render_kind(kind: str, params: Mapping[str, Any]) -> str:
    """The notification's text in the active language. Raises KeyError for an unknown kind
    or a missing parameter, ValueError for a bad date."""
    spec = NOTIFICATION_KINDS[kind]
    values = dict(params)
    for name in spec.dates:
        value = values.get(name)
        if value:
            # Stored: an ISO string; fresh from a caller (an e-mail's subject): a date.
            values[name] = formats.date_format(value if isinstance(value, dt.date) else dt.date.fromisoformat(value))
    for name, choices in spec.choices.items():
        if name in values:
            values[name] = str(dict(choices.choices).get(values[name], values[name]))
    for name in spec.bilingual:
        if name in values:
            values[name] = in_language(values[name], values.get(f"{name}_zh"))
    msgid = spec.title(params) if callable(spec.title) else spec.title
    return gettext(msgid) % values


def notification_text(notification: Notification) -> str:
    """What the reader sees, in the active language. Rows written before kinds were stored
    with parameters (``params`` null), or whose kind is no longer registered, show the text
    stored when they were made: an old row never breaks the page."""
    if notification.params is None:
        return notification.title
    try:
        return render_kind(notification.kind, notification.params)
    except (KeyError, ValueError, TypeError):
        logger.warning("Notification %s (%s) could not be rendered", notification.pk, notification.kind)
        return notification.title
