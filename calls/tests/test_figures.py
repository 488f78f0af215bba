"""The figures of a campaign, worked out by hand on a small seeded world and asserted to the rupee.

Every time below is India time (TIME_ZONE, UTC+05:30). The attribution window is set to 10 days.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from calls.figures import figures_compute
from calls.models import AnsweredBy, CallStatus, Disposition, PromiseStatus
from calls.tests.factories import CallFactory, CampaignFactory, PromiseFactory
from customers.models import LoanStatus, Payment
from customers.tests.factories import CustomerFactory, LoanFactory
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.tests.factories import api_token_for

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Asia/Kolkata")
MAX_QUERIES = 3


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=IST)


def d(value: str) -> Decimal:
    return Decimal(value)


@pytest.fixture
def world(settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    settings.PAYMENTS_ATTRIBUTION_DAYS = 10
    timezone.activate(IST)
    codes = {disposition.code: disposition for disposition in Disposition.objects.all()}
    campaign, other = CampaignFactory(name="March"), CampaignFactory(name="Other")

    asha = CustomerFactory(preferred_language="en")  # one loan, not overdue: bucket "0"
    l1 = LoanFactory(customer=asha, days_past_due=0)
    bala = CustomerFactory(preferred_language="hi")  # 15 days past due: "1-30"
    l2 = LoanFactory(customer=bala, days_past_due=15)
    chitra = CustomerFactory(preferred_language="ta")  # called about all her loans: her most overdue ACTIVE one is 95
    l3a = LoanFactory(customer=chitra, days_past_due=45)
    l3b = LoanFactory(customer=chitra, days_past_due=95)
    LoanFactory(customer=chitra, days_past_due=200, status=LoanStatus.SETTLED, outstanding_amount=0)
    dev = CustomerFactory(preferred_language="en")  # 70 days: "61-90"
    l4 = LoanFactory(customer=dev, days_past_due=70)
    esha = CustomerFactory(preferred_language="hi")  # days past due not known
    l5 = LoanFactory(customer=esha, days_past_due=None)

    def call(customer, loan, started, code, *, who="", price=None, unit="", on=campaign, status=CallStatus.COMPLETED):
        return CallFactory(
            campaign=on,
            customer=customer,
            loan=loan,
            status=status,
            started_at=started,
            answered_by=who,
            disposition=codes[code] if code else None,
            price=price,
            price_unit=unit,
        )

    human, machine = AnsweredBy.HUMAN, AnsweredBy.MACHINE
    calls = {
        "a1": call(asha, l1, at(2, 10, 15), "promise_to_pay", who=human, price=d("0.50"), unit="INR"),
        "a2": call(asha, l1, at(1, 9, 5), "no_answer", status=CallStatus.NO_ANSWER),
        "a3": call(bala, l2, at(2, 10, 40), "machine", who=machine, price=d("0.30"), unit="INR"),
        "a4": call(bala, l2, at(3, 14, 20), "promise_to_pay", who=human, price=d("0.70"), unit="INR"),
        # Loan-less: about all of Chitra's loans. Answered, but nobody said anything usable.
        "a5": call(chitra, None, at(3, 18, 30), "no_input", who=human, price=d("0.10"), unit="USD"),
        "a6": call(dev, l4, at(4, 11, 0), "refused", who=human),
        "a7": call(dev, l4, at(5, 11, 30), "promise_to_pay", who=human, price=d("0.80"), unit="USD"),
        "a8": call(esha, l5, at(5, 12, 0), "not_available", who=human),
        "a10": call(esha, l5, at(6, 8, 10), "failed", status=CallStatus.FAILED),
        # Not placed yet: no attempt, one call waiting.
        "a9": call(asha, l1, None, None, status=CallStatus.SCHEDULED),
        # The other campaign speaks with Asha after "a1".
        "b1": call(asha, l1, at(4, 9, 30), "conversation", who=human, price=d("0.40"), unit="INR", on=other),
    }

    def promise(source, loan, amount, status):
        PromiseFactory(loan=loan, source_call=calls[source], amount=d(amount), status=status)

    promise("a1", l1, "300", PromiseStatus.REPLACED)
    promise("a1", l1, "1000", PromiseStatus.KEPT)
    promise("a4", l2, "500", PromiseStatus.PARTLY_KEPT)
    promise("a4", l2, "400", PromiseStatus.OPEN)
    promise("a7", l4, "1200", PromiseStatus.BROKEN)
    promise("b1", l1, "999", PromiseStatus.KEPT)

    def pay(loan, amount, *, paid_at=None, paid_on=None):
        Payment.objects.create(
            loan=loan, amount=d(amount), paid_at=paid_at, paid_on=paid_on or timezone.localdate(paid_at)
        )

    pay(l1, "1000", paid_at=at(3, 12))  # latest contact a1 (2nd, 10:15): March
    pay(l1, "250", paid_at=at(5, 8))  # latest contact b1 (4th, 09:30): the other campaign
    pay(l2, "300", paid_on=date(2026, 3, 4))  # 4th 00:00: a4 (3rd, 14:20) came before; a3 was a machine
    pay(l2, "200", paid_on=date(2026, 3, 3))  # 3rd 00:00: before a4, and a3 is no contact: nobody's
    pay(l3b, "700", paid_at=at(10, 9))  # a5 (loan-less, 3rd 18:30) 6.6 days before: March
    pay(l3a, "150", paid_at=at(14, 19))  # a5 + 10 days = 13th 18:30: outside the window
    pay(l4, "600", paid_at=at(6, 10))  # a6 and a7 both contacts: the latest, a7, takes it
    pay(l4, "100", paid_on=date(2026, 3, 15))  # 15th 00:00 <= a7 + 10 days (15th 11:30): a7
    pay(l4, "50", paid_on=date(2026, 3, 16))  # 16th 00:00: past a7's window
    pay(l5, "80", paid_at=at(5, 15))  # a8: someone else answered, still a contact
    yield campaign, other
    timezone.deactivate()


BREAKDOWN_KEYS = ("attempts", "connects", "right_party_contacts", "promises", "promised_amount", "collected_amount")


def row(attempts, connects, rpc, promises, promised, collected) -> dict:
    return dict(zip(BREAKDOWN_KEYS, (attempts, connects, rpc, promises, d(promised), d(collected)), strict=True))


def figures_of(rows: list[dict]) -> dict:
    return {r["key"]: {k: r[k] for k in BREAKDOWN_KEYS} for r in rows}


def test_every_figure_of_a_campaign_by_hand(world, django_assert_max_num_queries):
    campaign, _ = world
    with django_assert_max_num_queries(MAX_QUERIES):
        figures = figures_compute(campaign=campaign)

    # Attempts: a1 a2 a3 a4 a5 a6 a7 a8 a10 = 9 (a9 never started; b1 is the other campaign's).
    assert figures["attempts"] == 9
    # Connects: a human and not silence: a1 a4 a6 a7 a8 = 5 (a3 machine, a5 no_input, a2 a10 nobody).
    assert figures["connects"] == 5
    assert figures["connect_rate"] == 0.5556  # 5 / 9
    # Right-party contacts: a1 a4 a6 a7 = 4 (a8 someone else, a5 silence).
    assert figures["right_party_contacts"] == 4
    assert figures["right_party_rate"] == 0.4444  # 4 / 9
    assert figures["scheduled"] == 1  # a9
    # Promises: 300 + 1000 (a1) + 500 + 400 (a4) + 1200 (a7) = 3400 in 5; b1's 999 is the other campaign's.
    assert figures["promises"] == 5
    assert figures["promised_amount"] == d("3400.00")
    assert (figures["open"], figures["kept"], figures["partly_kept"], figures["broken"], figures["replaced"]) == (
        1,
        1,
        1,
        1,
        1,
    )
    assert figures["kept_rate"] == 0.3333  # 1 kept / (kept 1 + partly 1 + broken 1); replaced and open left out
    # Collected: 1000 (a1) + 300 (a4) + 700 (a5) + 600 + 100 (a7) + 80 (a8) = 2780.
    # Not: 250 (b1 came later), 200 (no contact before), 150 and 50 (outside the window).
    assert figures["collected_amount"] == d("2780.00")
    assert figures["attribution_days"] == 10
    # Cost: INR a1 0.50 + a3 0.30 + a4 0.70 = 1.50 over 3; USD a5 0.10 + a7 0.80 = 0.90 over 2.
    assert figures["cost_per_call"] == [
        {"currency": "INR", "priced_attempts": 3, "total": d("1.5000"), "per_call": d("0.5000")},
        {"currency": "USD", "priced_attempts": 2, "total": d("0.9000"), "per_call": d("0.4500")},
    ]

    assert figures_of(figures["by_dpd_bucket"]) == {
        "0": row(2, 1, 1, 2, "1300", "1000"),  # a1 a2; promises 300 + 1000; paid 1000
        "1-30": row(2, 1, 1, 2, "900", "300"),  # a3 a4; promises 500 + 400; paid 300
        "31-60": row(0, 0, 0, 0, "0", "0"),
        "61-90": row(2, 2, 2, 1, "1200", "700"),  # a6 a7; paid 600 + 100
        "90+": row(1, 0, 0, 0, "0", "700"),  # a5: Chitra's most overdue active loan (95; the settled 200 is not)
        "unknown": row(2, 1, 0, 0, "0", "80"),  # a8 a10
    }
    assert figures_of(figures["by_language"]) == {
        "en": row(4, 3, 3, 3, "2500", "1700"),  # a1 a2 a6 a7; 300 + 1000 + 1200; 1000 + 600 + 100
        "hi": row(4, 2, 1, 2, "900", "380"),  # a3 a4 a8 a10; 500 + 400; 300 + 80
        "ta": row(1, 0, 0, 0, "0", "700"),  # a5
    }
    by_hour = figures_of(figures["by_hour"])
    assert len(by_hour) == 24
    assert {hour: figures for hour, figures in by_hour.items() if figures["attempts"]} == {
        8: row(1, 0, 0, 0, "0", "0"),  # a10
        9: row(1, 0, 0, 0, "0", "0"),  # a2
        10: row(2, 1, 1, 2, "1300", "1000"),  # a1 a3
        11: row(2, 2, 2, 1, "1200", "700"),  # a6 a7
        12: row(1, 1, 0, 0, "0", "80"),  # a8
        14: row(1, 1, 1, 2, "900", "300"),  # a4
        18: row(1, 0, 0, 0, "0", "700"),  # a5
    }
    assert figures_of(figures["by_day"]) == {
        date(2026, 3, 1): row(1, 0, 0, 0, "0", "0"),  # a2
        date(2026, 3, 2): row(2, 1, 1, 2, "1300", "1000"),  # a1 a3
        date(2026, 3, 3): row(2, 1, 1, 2, "900", "1000"),  # a4 a5; 300 + 700
        date(2026, 3, 4): row(1, 1, 1, 0, "0", "0"),  # a6: its payment went to the later a7
        date(2026, 3, 5): row(2, 2, 1, 1, "1200", "780"),  # a7 a8; 600 + 100 + 80
        date(2026, 3, 6): row(1, 0, 0, 0, "0", "0"),  # a10
    }


def test_a_date_range_keeps_the_calls_started_on_those_local_days(world, django_assert_max_num_queries):
    campaign, _ = world
    with django_assert_max_num_queries(MAX_QUERIES):
        figures = figures_compute(campaign=campaign, date_from=date(2026, 3, 2), date_to=date(2026, 3, 3))

    # a1 a3 (2nd), a4 a5 (3rd).
    assert (figures["attempts"], figures["connects"], figures["right_party_contacts"]) == (4, 2, 2)
    assert figures["promises"] == 4 and figures["promised_amount"] == d("2200.00")  # 300 + 1000 + 500 + 400
    assert (figures["kept"], figures["partly_kept"], figures["broken"], figures["replaced"]) == (1, 1, 0, 1)
    assert figures["collected_amount"] == d("2000.00")  # 1000 + 300 + 700
    assert figures["cost_per_call"] == [
        {"currency": "INR", "priced_attempts": 3, "total": d("1.5000"), "per_call": d("0.5000")},
        {"currency": "USD", "priced_attempts": 1, "total": d("0.1000"), "per_call": d("0.1000")},
    ]
    assert [r["key"] for r in figures["by_day"]] == [date(2026, 3, 2), date(2026, 3, 3)]

    # The 4th alone is a6, whose payment the later a7 (the 5th, outside the range) still takes.
    only_a6 = figures_compute(campaign=campaign, date_from=date(2026, 3, 4), date_to=date(2026, 3, 4))
    assert (only_a6["attempts"], only_a6["connects"], only_a6["collected_amount"]) == (1, 1, d("0.00"))
    assert only_a6["cost_per_call"] is None  # a6 has no price

    # A day is a local day: 00:10 India time on the 2nd is still the 1st in UTC, and counts on the 2nd.
    CallFactory(campaign=campaign, status=CallStatus.BUSY, started_at=at(2, 0, 10))
    assert figures_compute(campaign=campaign, date_from=date(2026, 3, 2), date_to=date(2026, 3, 2))["attempts"] == 3
    assert figures_compute(campaign=campaign, date_to=date(2026, 3, 1))["attempts"] == 1  # a2


def test_overall_figures_count_every_campaign_and_each_payment_once(world, django_assert_max_num_queries):
    campaign, other = world
    with django_assert_max_num_queries(MAX_QUERIES):
        overall = figures_compute()
    theirs = figures_compute(campaign=other)

    # The other campaign: b1, its 999 promise, and the 250 paid after it.
    assert (theirs["attempts"], theirs["connects"], theirs["right_party_contacts"]) == (1, 1, 1)
    assert (theirs["promises"], theirs["kept"], theirs["collected_amount"]) == (1, 1, d("250.00"))
    # Overall: 9 + 1 attempts, 5 + 1 connects, 3400 + 999 promised, 2780 + 250 collected.
    assert (overall["attempts"], overall["connects"], overall["right_party_contacts"]) == (10, 6, 5)
    assert (overall["promises"], overall["promised_amount"]) == (6, d("4399.00"))
    assert overall["collected_amount"] == d("3030.00")
    assert overall["cost_per_call"][0] == {
        "currency": "INR",
        "priced_attempts": 4,
        "total": d("1.9000"),
        "per_call": d("0.4750"),
    }


def test_no_calls_no_figures():
    figures = figures_compute(campaign=CampaignFactory())
    assert figures["attempts"] == 0 and figures["connect_rate"] == 0.0 and figures["kept_rate"] == 0.0
    assert figures["collected_amount"] == Decimal("0.00") and figures["cost_per_call"] is None
    assert figures["by_day"] == [] and len(figures["by_hour"]) == 24


def test_a_range_that_ends_before_it_starts_is_refused():
    with pytest.raises(ApplicationError, match="ends before it starts"):
        figures_compute(date_from=date(2026, 3, 2), date_to=date(2026, 3, 1))


def test_the_queries_do_not_grow_with_the_data(world, django_assert_max_num_queries):
    campaign, _ = world
    for _ in range(5):
        loan = LoanFactory(days_past_due=33)
        call = CallFactory(
            campaign=campaign,
            customer=loan.customer,
            loan=loan,
            status=CallStatus.COMPLETED,
            started_at=at(7, 10),
            answered_by=AnsweredBy.HUMAN,
            disposition=Disposition.objects.get(code="promise_to_pay"),
        )
        PromiseFactory(loan=loan, source_call=call, amount=100)
        Payment.objects.create(loan=loan, amount=100, paid_on=date(2026, 3, 8), paid_at=at(8, 9) + timedelta(0))

    with django_assert_max_num_queries(MAX_QUERIES):
        figures = figures_compute(campaign=campaign)
    assert figures["attempts"] == 14 and figures["collected_amount"] == d("3280.00")  # 2780 + 5 × 100
    assert figures_of(figures["by_dpd_bucket"])["31-60"] == row(5, 5, 5, 5, "500", "500")


def test_the_campaign_and_overall_apis_answer_the_figures_for_a_range(world, back_office_user):
    campaign, _ = world
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(back_office_user)}")

    body = api.get(f"/api/v1/campaigns/{campaign.pk}/metrics/?from=2026-03-02&to=2026-03-03").json()
    assert (body["date_from"], body["date_to"], body["attribution_days"]) == ("2026-03-02", "2026-03-03", 10)
    assert (body["attempts"], body["connects"], body["right_party_contacts"], body["promises"]) == (4, 2, 2, 4)
    assert body["promised_amount"] == "2200.00" and body["collected_amount"] == "2000.00"
    inr = {"currency": "INR", "priced_attempts": 3, "total": "1.5000", "per_call": "0.5000"}
    assert body["cost_per_call"][0] == inr
    assert [row["key"] for row in body["by_day"]] == ["2026-03-02", "2026-03-03"]
    assert body["by_hour"][10]["attempts"] == 2 and body["by_dpd_bucket"][0]["key"] == "0"

    overall = api.get("/api/v1/metrics/").json()
    assert (overall["attempts"], overall["collected_amount"]) == (10, "3030.00")

    error = api.get("/api/v1/metrics/?from=2026-03-03&to=2026-03-02")
    assert error.status_code == 400 and error.json()["error"]["code"] == "invalid"
    assert api.get("/api/v1/metrics/?from=March").status_code == 400


def test_the_admin_shows_a_campaigns_figures_for_a_range_and_everyones_on_a_page(world, admin_client):
    campaign, _ = world
    url = f"/admin/calls/campaign/{campaign.pk}/change/"

    page = admin_client.get(url).content.decode()
    assert "connect rate" in page and "attempts" in page and "₹2,780.00" in page
    ranged = admin_client.get(f"{url}?from=2026-03-02&to=2026-03-03")
    assert ranged.context["figures"]["collected_amount"] == d("2000.00") and "₹2,000.00" in ranged.content.decode()
    wrong = admin_client.get(f"{url}?from=2026-03-03&to=2026-03-02")
    assert wrong.context["figures"] is None and "ends before it starts" in wrong.content.decode()

    everyone = admin_client.get("/admin/calls/campaign/figures/")
    assert everyone.status_code == 200 and "₹3,030.00" in everyone.content.decode()


def test_a_payment_goes_to_a_later_contact_about_all_the_borrowers_loans(world):
    campaign, other = world
    # The other campaign reaches Dev about all his loans after a7 and before the 600 of the 6th (10:00).
    dev_loan = Payment.objects.get(amount=600).loan
    CallFactory(
        campaign=other,
        customer=dev_loan.customer,
        loan=None,
        status=CallStatus.COMPLETED,
        started_at=at(6, 9),
        answered_by=AnsweredBy.HUMAN,
        disposition=Disposition.objects.get(code="callback_requested"),
    )
    # 600 and the 100 of the 15th (the latest contact before it is now the new call) leave March: 2780 - 700.
    assert figures_compute(campaign=campaign)["collected_amount"] == d("2080.00")
    # 250 + 600 + 100, and the 50 of the 16th: 16th 00:00 is inside the new call's window (to 16th 09:00).
    assert figures_compute(campaign=other)["collected_amount"] == d("1000.00")
    assert figures_compute()["collected_amount"] == d("3080.00")  # 3030 + 50, each payment once
