"""Domain events: how an app reacts to another that may not import it.

The import contracts (pyproject.toml) let an app import only the layers below it. When a
lower app must set off work in a higher one, it publishes an event here and the higher app
subscribes in its ``AppConfig.ready()``. Subscribers run at once, in the publisher's
transaction: their writes commit or roll back with the change that caused them, and their
own side effects (e-mail, tasks) go through ``transaction.on_commit`` as everywhere else.

Every event is declared below with its arguments, so a misspelt name fails loudly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

# A case moved to "closed" (P4.2.3): case=Case, user=User, now=datetime.
CASE_CLOSED = "case.closed"

EVENTS = frozenset({CASE_CLOSED})

_subscribers: dict[str, list[Callable]] = defaultdict(list)


def subscribe(event: str, handler: Callable) -> None:
    if event not in EVENTS:
        raise ValueError(f"Unknown event {event!r}: declare it in crm/events.py")
    if handler not in _subscribers[event]:  # ready() may run more than once in tests
        _subscribers[event].append(handler)


def publish(event: str, **payload) -> list:
    """Run every subscriber of ``event`` with ``payload``; returns their results."""
    if event not in EVENTS:
        raise ValueError(f"Unknown event {event!r}: declare it in crm/events.py")
    return [handler(**payload) for handler in _subscribers[event]]
