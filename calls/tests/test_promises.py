from datetime import date, timedelta
from decimal import Decimal

import pytest

from calls.models import CallStatus, PromiseStatus, WorkItem, WorkItemKind
from calls.selectors import campaign_metrics
from calls.services.outcomes import promise_create, promises_review
from calls.tests.factories import CallFactory, CampaignFactory, PromiseFactory
from customers.tests.factories import LoanFactory
from uploads.tests.factories import upload_rows
from voiceassist.common.exceptions import ApplicationError

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)


def test_a_promise_is_kept_when_a_later_upload_shows_the_loan_dropped_by_the_amount():
    upload_rows([["Name", "Phone", "Loan ID", "Amount"], ["Asha Rao", "9876543210", "LN-1", "50,000"]])
    from customers.models import Loan

    promise = PromiseFactory(loan=Loan.objects.get(), amount=Decimal("20000"), promised_date=TODAY + timedelta(days=5))
    upload_rows([["Name", "Phone", "Loan ID", "Amount"], ["Asha Rao", "9876543210", "LN-1", "30,000"]])

    assert promises_review(today=TODAY) == {"kept": 1, "broken": 0}
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.KEPT and promise.resolved_at is not None


def test_a_promise_is_broken_after_its_date_and_grace_days_and_queues_a_follow_up():
    loan = LoanFactory(outstanding_amount=Decimal("50000"))
    promise = PromiseFactory(loan=loan, amount=Decimal("20000"), promised_date=TODAY - timedelta(days=4), grace_days=3)
    still_in_grace = PromiseFactory(loan=LoanFactory(), promised_date=TODAY - timedelta(days=2), grace_days=3)

    assert promises_review(today=TODAY) == {"kept": 0, "broken": 1}
    promise.refresh_from_db()
    still_in_grace.refresh_from_db()
    assert promise.status == PromiseStatus.BROKEN
    assert still_in_grace.status == PromiseStatus.OPEN
    follow_up = WorkItem.objects.get()
    assert (follow_up.kind, follow_up.promise, follow_up.loan) == (WorkItemKind.BROKEN_PROMISE, promise, loan)


def test_a_payment_that_covers_only_part_of_the_promise_does_not_keep_it():
    loan = LoanFactory(outstanding_amount=Decimal("50000"))
    promise = PromiseFactory(loan=loan, amount=Decimal("20000"), promised_date=TODAY - timedelta(days=10), grace_days=0)
    loan.outstanding_amount = Decimal("40000")
    loan.save()

    promises_review(today=TODAY)
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.BROKEN


def test_a_promise_needs_a_positive_amount_and_a_future_date():
    loan = LoanFactory()
    with pytest.raises(ApplicationError, match="above zero"):
        promise_create(loan=loan, amount=Decimal("0"), promised_date=date(2099, 1, 1))
    with pytest.raises(ApplicationError, match="in the past"):
        promise_create(loan=loan, amount=Decimal("10"), promised_date=date(2000, 1, 1))


def test_campaign_metrics_count_attempts_connects_promises_and_collections():
    from calls.models import Disposition

    campaign = CampaignFactory()
    ptp = Disposition.objects.get(code="promise_to_pay")
    busy = Disposition.objects.get(code="busy")
    wrong = Disposition.objects.get(code="wrong_number")
    kept_call = CallFactory(campaign=campaign, status=CallStatus.COMPLETED, disposition=ptp)
    broken_call = CallFactory(campaign=campaign, status=CallStatus.COMPLETED, disposition=ptp)
    CallFactory(campaign=campaign, status=CallStatus.BUSY, disposition=busy)
    CallFactory(campaign=campaign, status=CallStatus.COMPLETED, disposition=wrong)
    CallFactory(campaign=campaign, status=CallStatus.SCHEDULED)
    PromiseFactory(loan=kept_call.loan, source_call=kept_call, amount=Decimal("1000"), status=PromiseStatus.KEPT)
    PromiseFactory(loan=broken_call.loan, source_call=broken_call, amount=Decimal("500"), status=PromiseStatus.BROKEN)

    figures = campaign_metrics(campaign=campaign)

    assert figures["attempts"] == 4
    assert figures["connects"] == 3
    assert figures["connect_rate"] == 0.75
    assert figures["right_party_contacts"] == 2
    assert figures["promises"] == 2
    assert figures["promised_amount"] == Decimal("1500")
    assert figures["kept_rate"] == 0.5
    assert figures["collected_amount"] == Decimal("1000")
