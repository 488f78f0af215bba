"""What calls' services announce to the apps above them (which calls may not import).

Sent after the writing transaction commits. The payments app listens: a promise to pay gets a payment
link, sent to the borrower by text message.
"""

from django.dispatch import Signal

# A ``PromiseToPay`` that was just made (by the bot, an agent, the admin or the API): ``promise``.
promise_made = Signal()
