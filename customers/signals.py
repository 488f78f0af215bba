"""What customers' services announce to the apps above them (which customers may not import).

Sent after the writing transaction commits. The calls app listens: it cancels the calls that have
nothing left to be about (a settled loan) or that a new suppression forbids, and judges the loan's open
promise when a payment arrives.
"""

from django.dispatch import Signal

# The lender's loan ids (``Loan.loan_id``) of loans that just became settled: ``loan_ids``.
loans_settled = Signal()
# A ``Suppression`` that was just set: ``suppression``.
suppression_set = Signal()
# A ``Payment`` that was just recorded on a loan (any source): ``payment``.
payment_recorded = Signal()
