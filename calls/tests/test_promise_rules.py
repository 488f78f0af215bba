"""Promises to pay: one set of rules whoever takes them, and judged by the payments that arrive."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from calls.models import PromiseStatus, PromiseToPay, WorkItem, WorkItemKind
from calls.services.promises import promise_create, promises_review
from customers.services import loan_record_payment
from customers.tests.factories import LoanFactory
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditEvent

pytestmark = pytest.mark.django_db


def _today() -> date:
    return timezone.localdate()


@pytest.fixture
def loan():
    return LoanFactory(outstanding_amount=Decimal("25105.00"))


@pytest.mark.parametrize(
    ("amount", "days", "code"),
    [
        (Decimal("99999999"), 5, "amount_above_outstanding"),  # the ₹9,99,99,999 promise on a ₹25,105 loan
        (Decimal("0"), 5, "invalid_amount"),
        (Decimal("-10"), 5, "invalid_amount"),
        (Decimal("1000"), -1, "invalid_date"),
        (Decimal("1000"), 210, "beyond_horizon"),  # seven months out
    ],
)
def test_the_rules_refuse_what_no_lender_would_accept(loan, amount, days, code, settings):
    settings.PROMISE_HORIZON_DAYS = 30
    with pytest.raises(ApplicationError) as refused:
        promise_create(loan=loan, amount=amount, promised_date=_today() + timedelta(days=days))
    assert refused.value.code == code
    assert not PromiseToPay.objects.exists()


@pytest.mark.parametrize("grace_days", [-1, 31, 400])
def test_grace_days_beyond_the_limits_are_refused_whoever_asks(loan, grace_days):
    with pytest.raises(ApplicationError) as refused:
        promise_create(
            loan=loan, amount=Decimal("1000"), promised_date=_today() + timedelta(days=5), grace_days=grace_days
        )

    assert refused.value.code == "invalid_grace_days"
    assert refused.value.details["grace_days"] == [refused.value.message]
    assert "0 to 30" in refused.value.message
    assert not PromiseToPay.objects.exists()


@pytest.mark.parametrize("grace_days", [0, 30])
def test_grace_days_at_the_limits_are_accepted(loan, grace_days):
    promise = promise_create(
        loan=loan, amount=Decimal("1000"), promised_date=_today() + timedelta(days=5), grace_days=grace_days
    )
    assert promise.grace_days == grace_days


def test_without_grace_days_the_default_applies(loan, settings):
    settings.PROMISE_GRACE_DAYS = 4
    promise = promise_create(loan=loan, amount=Decimal("1000"), promised_date=_today() + timedelta(days=5))
    assert promise.grace_days == 4


def test_the_horizon_itself_and_the_whole_outstanding_amount_are_accepted(loan, settings):
    settings.PROMISE_HORIZON_DAYS = 30
    promise = promise_create(loan=loan, amount=Decimal("25105"), promised_date=_today() + timedelta(days=30))
    assert promise.status == PromiseStatus.OPEN


def test_a_new_promise_replaces_the_open_one_and_says_so(loan, back_office_user):
    first = promise_create(loan=loan, amount=Decimal("5000"), promised_date=_today() + timedelta(days=3))
    second = promise_create(
        loan=loan, amount=Decimal("7000"), promised_date=_today() + timedelta(days=5), actor=back_office_user
    )
    third = promise_create(loan=loan, amount=Decimal("9000"), promised_date=_today() + timedelta(days=6))

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.replaced_by) == (PromiseStatus.REPLACED, second)
    assert (second.status, second.replaced_by) == (PromiseStatus.REPLACED, third)
    assert list(PromiseToPay.objects.filter(status=PromiseStatus.OPEN)) == [third]
    recorded = AuditEvent.objects.filter(action="promise.recorded").order_by("id")
    assert [event.details.get("replaces") for event in recorded] == [None, first.pk, second.pk]


def test_without_an_amount_a_promise_is_for_the_instalment_due(loan):
    loan.amount_due = Decimal("4500")
    loan.save()
    assert promise_create(loan=loan, promised_date=_today()).amount == Decimal("4500")
    no_emi = LoanFactory(outstanding_amount=Decimal("8000"))
    assert promise_create(loan=no_emi, promised_date=_today()).amount == Decimal("8000")


def _pay(loan, amount: str, *, days_ago: int = 0, reference: str = ""):
    return loan_record_payment(
        loan=loan, amount=Decimal(amount), paid_on=_today() - timedelta(days=days_ago), reference=reference, actor=None
    )


def test_a_promise_is_kept_the_moment_payments_reach_its_amount(loan, django_capture_on_commit_callbacks):
    promise = promise_create(loan=loan, amount=Decimal("10000"), promised_date=_today() + timedelta(days=5))
    with django_capture_on_commit_callbacks(execute=True):
        _pay(loan, "6000", reference="UTR1")
    promise.refresh_from_db()
    assert (promise.status, promise.paid_amount) == (PromiseStatus.OPEN, Decimal("6000"))

    with django_capture_on_commit_callbacks(execute=True):
        _pay(loan, "4000", reference="UTR2")
    promise.refresh_from_db()
    assert (promise.status, promise.paid_amount) == (PromiseStatus.KEPT, Decimal("10000"))
    assert promise.resolved_at is not None


def _past_promise(loan, *, amount: str, promised_days_ago: int, grace: int = 3) -> PromiseToPay:
    promise = promise_create(loan=loan, amount=Decimal(amount), promised_date=_today(), grace_days=grace)
    # Made some days ago: moved back in time as a whole (its date and the day it was made).
    PromiseToPay.objects.filter(pk=promise.pk).update(
        promised_date=_today() - timedelta(days=promised_days_ago),
        created_at=timezone.now() - timedelta(days=promised_days_ago + 2),
    )
    promise.refresh_from_db()
    return promise


def test_after_its_last_day_a_promise_is_partly_kept_or_broken_and_followed_up(loan):
    partly = _past_promise(loan, amount="10000", promised_days_ago=5)
    _pay(loan, "2500", days_ago=4)  # within the promise's days
    _pay(loan, "900", days_ago=30)  # long before it was made: not towards it
    other = LoanFactory(outstanding_amount=Decimal("9000"))
    broken = _past_promise(other, amount="3000", promised_days_ago=5)
    in_grace = _past_promise(LoanFactory(), amount="100", promised_days_ago=2)

    assert promises_review() == {"kept": 0, "partly_kept": 1, "broken": 1}

    partly.refresh_from_db()
    broken.refresh_from_db()
    in_grace.refresh_from_db()
    assert (partly.status, partly.paid_amount) == (PromiseStatus.PARTLY_KEPT, Decimal("2500"))
    assert (broken.status, broken.paid_amount) == (PromiseStatus.BROKEN, Decimal("0"))
    assert in_grace.status == PromiseStatus.OPEN
    notes = dict(WorkItem.objects.filter(kind=WorkItemKind.BROKEN_PROMISE).values_list("promise_id", "note"))
    assert "Paid ₹2,500 of the ₹10,000" in notes[partly.pk] and "nothing arrived" in notes[broken.pk]


def test_a_90_percent_part_payment_is_partly_kept_not_broken(loan):
    promise = _past_promise(loan, amount="10000", promised_days_ago=4, grace=0)
    _pay(loan, "9000", days_ago=4)
    promises_review()
    promise.refresh_from_db()
    assert (promise.status, promise.paid_amount) == (PromiseStatus.PARTLY_KEPT, Decimal("9000"))


def test_back_office_takes_a_promise_in_the_admin_through_the_same_rules(admin_client, loan):
    url = "/admin/calls/promisetopay/add/"
    too_much = {"loan": loan.pk, "amount": "99999999", "promised_date": _today().isoformat()}
    page = admin_client.post(url, too_much)
    assert page.status_code == 200 and "more than the ₹25,105 the loan still owes" in page.content.decode()
    assert not PromiseToPay.objects.exists()

    first = promise_create(loan=loan, amount=Decimal("1000"), promised_date=_today())
    response = admin_client.post(url, {"loan": loan.pk, "amount": "5000", "promised_date": _today().isoformat()})
    assert response.status_code == 302
    taken = PromiseToPay.objects.get(status=PromiseStatus.OPEN)
    first.refresh_from_db()
    assert taken.amount == Decimal("5000") and first.replaced_by == taken
    assert AuditEvent.objects.filter(action="promise.recorded", target_id=str(taken.pk)).exists()
    # Taken, a promise is only read.
    assert admin_client.get(f"/admin/calls/promisetopay/{taken.pk}/change/").status_code == 200
    assert admin_client.post(f"/admin/calls/promisetopay/{taken.pk}/change/", {"amount": "1"}).status_code == 403
