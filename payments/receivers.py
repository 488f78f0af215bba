"""What payments does when calls announce a promise: queue its payment link (made and texted by a task)."""

import logging

from django.conf import settings
from django.dispatch import receiver
from kombu.exceptions import OperationalError as BrokerError

from calls.signals import promise_made

from .tasks import promise_link_task

logger = logging.getLogger(__name__)


@receiver(promise_made)
def send_a_payment_link_for_the_promise(sender, *, promise, **kwargs) -> None:
    if not settings.PAYMENTS_LINK_ON_PROMISE:
        return
    try:
        promise_link_task.delay(promise.pk)
    except (BrokerError, OSError) as exc:
        # The promise stands; an agent can send a link from the customer's page.
        logger.warning("Payment link for promise %s not queued (%s).", promise.pk, type(exc).__name__)
