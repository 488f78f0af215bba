"""What calls does when customers' services announce a change: cancel the calls left with nothing to be
about (the guard decides which calls are hopeless), and judge a loan's open promise when money arrives.
Each receiver calls one service."""

from django.dispatch import receiver

from customers.models import Loan
from customers.signals import loans_settled, payment_recorded, suppression_set

from .services.dispatch import calls_cancel_hopeless
from .services.promises import promise_payment_arrived


@receiver(loans_settled)
def cancel_calls_of_settled_loans(sender, *, loan_ids: list[str], **kwargs) -> None:
    customer_ids = set(Loan.objects.filter(loan_id__in=loan_ids).values_list("customer_id", flat=True))
    calls_cancel_hopeless(customer_ids=customer_ids)


@receiver(suppression_set)
def cancel_calls_a_suppression_forbids(sender, *, suppression, **kwargs) -> None:
    calls_cancel_hopeless(customer_ids={suppression.customer_id})


@receiver(payment_recorded)
def judge_the_promise_a_payment_may_keep(sender, *, payment, **kwargs) -> None:
    promise_payment_arrived(loan_id=payment.loan_id)
