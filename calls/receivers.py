"""What calls does when customers' services announce a change: cancel the calls left with nothing to be
about. Each receiver calls one service; the guard decides which calls are hopeless."""

from django.dispatch import receiver

from customers.models import Loan
from customers.signals import loans_settled, suppression_set

from .services.dispatch import calls_cancel_hopeless


@receiver(loans_settled)
def cancel_calls_of_settled_loans(sender, *, loan_ids: list[str], **kwargs) -> None:
    customer_ids = set(Loan.objects.filter(loan_id__in=loan_ids).values_list("customer_id", flat=True))
    calls_cancel_hopeless(customer_ids=customer_ids)


@receiver(suppression_set)
def cancel_calls_a_suppression_forbids(sender, *, suppression, **kwargs) -> None:
    calls_cancel_hopeless(customer_ids={suppression.customer_id})
