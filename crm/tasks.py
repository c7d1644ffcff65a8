from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="crm.tasks.heartbeat", ignore_result=True)
def heartbeat() -> str:
    """Beat → broker → worker round trip; its log line shows the scheduler is alive."""
    logger.info("Rapport heartbeat: worker and beat are running")
    return "ok"
