"""Effects of the scheduler: in-app notifications and outbound emails (P3.3).

Design rule: every effect is a row with a unique key (kind, object, period, recipient),
written in the same transaction as its cause. Creating it twice is a no-op, so a scan
that runs twice, a task delivered twice or two racing workers produce it once. The
broker only ever carries the row's id.

A notification stores its kind and parameters, not sentences: see crm/notification_kinds.py.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import socket
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import tasks  # tasks import this module too: both use each other only at call time
from .links import base_url
from .models import Notification, OutboundEmail, Profile
from .notification_kinds import NOTIFICATION_KINDS, notification_text, register_kind, render_kind

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

__all__ = ["NOTIFICATION_KINDS", "notification_text", "register_kind", "render_kind"]

# Errors worth retrying later: the SMTP server or the network, not our data.
TRANSIENT_EMAIL_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, socket.timeout, ConnectionError)
MAX_ATTEMPTS = 5


def object_ref(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def user_language(user: User) -> str:
    profile = Profile.objects.filter(user=user).only("language").first()
    return profile.language if profile and profile.language else settings.LANGUAGE_CODE


def user_wants_digest(user: User) -> bool:
    profile = Profile.objects.filter(user=user).only("notification_mode").first()
    return profile is None or profile.notification_mode == Profile.Digest.DAILY


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise TypeError("Notification parameters take dates, not datetimes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def notify(*, recipient: User, kind: str, obj_ref: str, period: str, params: Mapping[str, Any], link: str = "") -> bool:
    """Create the notification unless it exists; True when this call created it.

    ``kind`` must be registered (``register_kind``); ``params`` fill its wording when it is
    shown. ``title`` keeps the text in the recipient's language at the time, for the admin
    and as the fallback should the kind's wording ever be removed.
    """
    if kind not in NOTIFICATION_KINDS:
        raise ValueError(f"Unregistered notification kind {kind!r}: register it with register_kind()")
    params = {name: _json_value(value) for name, value in params.items()}
    with translation.override(user_language(recipient)):
        title = render_kind(kind, params)
    try:
        with transaction.atomic():
            Notification.objects.create(
                recipient=recipient,
                kind=kind,
                object_ref=obj_ref,
                period=period,
                params=params,
                title=title[:300],
                link=link,
            )
    except IntegrityError:
        return False
    unread_count_changed(recipient.pk)
    return True


def email_enqueue(
    *,
    recipient: User,
    kind: str,
    period: str,
    template: str,
    context: dict,
    obj_ref: str = "-",
) -> OutboundEmail | None:
    """Render the email in the recipient's language and store it; send after commit.

    Returns None when the recipient has no address or the email already exists.
    """
    if not recipient.email:
        return None
    return email_store(
        recipient=recipient,
        to_address=recipient.email,
        language=user_language(recipient),
        kind=kind,
        obj_ref=obj_ref,
        period=period,
        template=template,
        context={**context, "recipient": recipient},
    )


def email_store(
    *,
    recipient: User | None,
    to_address: str,
    language: str,
    kind: str,
    obj_ref: str,
    period: str,
    template: str,
    context: dict,
    headers: dict[str, str] | None = None,
) -> OutboundEmail | None:
    """Render ``emails/<template>`` in ``language`` and store the email once per unique key
    (``recipient`` None: someone who is not a user, such as a partner's contact); the send
    is enqueued after commit. None when that email already exists."""
    with translation.override(language):
        context = {**context, "base_url": base_url()}
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        body_text = render_to_string(f"emails/{template}.txt", context)
        body_html = render_to_string(f"emails/{template}.html", context)
    try:
        with transaction.atomic():
            email = OutboundEmail.objects.create(
                recipient=recipient,
                to_address=to_address,
                kind=kind,
                object_ref=obj_ref,
                period=period,
                language=language,
                subject=subject[:300],
                body_text=body_text,
                body_html=body_html,
                headers=headers or {},
            )
    except IntegrityError:
        return None
    transaction.on_commit(lambda: enqueue_safely(tasks.email_send_task, email.pk))
    return email


# After a failed publish, this process skips the broker for this many seconds: a request
# that stores several emails, and the requests after it, do not each wait for the timeout.
BROKER_SKIP_AFTER_FAILURE = 15.0
_broker_skip_until = 0.0


def enqueue_safely(task, *args) -> bool:
    """Send a task id to the broker, never failing the caller: when the broker is down the
    row stays pending in the database and the next scan enqueues it again.

    Bounded in time: one attempt, socket timeouts of settings.RAPPORT_BROKER_TIMEOUT (a
    frozen broker accepts the connection and never answers), then a short pause during which
    this process does not try again (issue 10, item 5).
    """
    global _broker_skip_until
    if time.monotonic() < _broker_skip_until:
        logger.warning("Broker recently unavailable; %s%s left for the next scan", task.name, args)
        return False
    try:
        task.apply_async(args, retry=False)
    except Exception:  # broker unreachable or hung: logged, caught up by the scan
        _broker_skip_until = time.monotonic() + BROKER_SKIP_AFTER_FAILURE
        logger.warning("Broker unavailable; %s%s left for the next scan", task.name, args, exc_info=True)
        return False
    return True


# Last checks before sending, by email kind: ``(email) -> bool``; False cancels the email.
# An email to a contact is queued in advance, and the contact may withdraw consent in the
# meantime (an unsubscribe link, an edit by their account owner): the check reads the
# consent again at the last moment. Apps register theirs in AppConfig.ready().
SEND_CHECKS: dict[str, Callable[[OutboundEmail], bool]] = {}
CANCELLED_PREFIX = "Cancelled before sending: "


def email_send(*, email_id: int) -> bool:
    """Send one stored email. Claim → send → mark sent; True when this call sent it.

    The claim is a conditional UPDATE, so two workers never send the same row at once.
    """
    now = timezone.now()
    claimed = OutboundEmail.objects.filter(pk=email_id, state=OutboundEmail.State.PENDING).update(
        state=OutboundEmail.State.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    email = OutboundEmail.objects.get(pk=email_id)
    check = SEND_CHECKS.get(email.kind)
    if check is not None and not check(email):
        OutboundEmail.objects.filter(pk=email_id).update(
            state=OutboundEmail.State.CANCELLED, last_error=CANCELLED_PREFIX + "the recipient no longer consents."
        )
        return False
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_address],
        headers={**email.headers, "Content-Language": email.language, "X-Rapport-Email": str(email.pk)},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    try:
        message.send(fail_silently=False)
    except TRANSIENT_EMAIL_ERRORS as exc:
        state = OutboundEmail.State.FAILED if email.attempts >= MAX_ATTEMPTS else OutboundEmail.State.PENDING
        OutboundEmail.objects.filter(pk=email_id).update(state=state, last_error=repr(exc)[:2000])
        if state == OutboundEmail.State.PENDING:
            raise tasks.TransientEmailError(str(exc)) from exc
        return False
    except Exception as exc:  # a refused recipient, bad data: not worth retrying
        # The error names the recipient's address: it stays in last_error (operations page),
        # the log line carries the id and the error's class only.
        logger.error("Email %s failed: %s", email_id, type(exc).__name__)
        OutboundEmail.objects.filter(pk=email_id).update(state=OutboundEmail.State.FAILED, last_error=repr(exc)[:2000])
        return False
    # Only now did the server accept it.
    OutboundEmail.objects.filter(pk=email_id).update(state=OutboundEmail.State.SENT, sent_at=timezone.now())
    return True


def email_stuck_after() -> dt.timedelta:
    """How long a claim ('sending') may last before the send counts as abandoned.

    The send runs inside the task that claimed it, and the hard time limit kills that task's
    process: once the limit (plus a margin for clock skew) has passed, nobody is sending it
    any more, so releasing it cannot overlap a send in progress. It may repeat a message the
    SMTP server accepted just before the worker died (at-least-once, never lost).
    """
    return dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + settings.RAPPORT_RECOVERY_MARGIN)


def emails_stuck(*, now=None):
    now = now or timezone.now()
    return OutboundEmail.objects.filter(state=OutboundEmail.State.SENDING, claimed_at__lt=now - email_stuck_after())


def emails_due_ids(*, now=None) -> list[int]:
    """Pending emails, and those a dead worker left in 'sending', for the email scan."""
    emails_stuck(now=now).update(state=OutboundEmail.State.PENDING)
    return list(
        OutboundEmail.objects.filter(state=OutboundEmail.State.PENDING)
        .order_by("created_at")
        .values_list("pk", flat=True)[:1000]
    )


def notification_mark_read(*, user: User, pk: int | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pk is not None:
        qs = qs.filter(pk=pk)
    marked = qs.update(read_at=timezone.now())
    unread_count_changed(user.pk)
    return marked


# The bell on every page (issue #15 §3): the count of a user's unread notifications, kept in
# the shared cache rather than counted on each page. Our writes (notify, marking read) drop it
# at once and again when their transaction commits; anything else that changes notifications
# (the admin, a shell) shows within UNREAD_COUNT_SECONDS.
UNREAD_COUNT_SECONDS = 60


def _unread_key(user_id: int) -> str:
    return f"rapport:unread-notifications:{user_id}"


def unread_notification_count(user: User) -> int:
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        cache.set(key, count, UNREAD_COUNT_SECONDS)
    return count


def unread_count_changed(user_id: int) -> None:
    key = _unread_key(user_id)
    cache.delete(key)
    # A page rendered meanwhile may have cached the count from before the commit.
    transaction.on_commit(lambda: cache.delete(key))
