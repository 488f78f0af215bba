"""The compliance guard, rule by rule, in India and the United States, at the boundaries.

Each case is a what-if scenario (``calls.compliance.scenarios``): real rows written and rolled back,
judged by the very guard the dispatcher and the dial-time check call. Dates avoid public holidays
unless the case is about one (16–22 Nov 2026 has none in India or the US).
"""

from datetime import datetime, time

import pytest

from calls.compliance import GuardRequest, guard_check, jurisdiction_for, rules_for
from calls.compliance.rules import overrides_problems
from calls.compliance.scenarios import ScenarioError, scenario_evaluate
from calls.tests.factories import CampaignFactory
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

INDIA = "+919876543210"
NEW_YORK = "+12125550123"
BOSTON = "+16175550123"  # Massachusetts, by area code
IST = "+05:30"
EST = "-05:00"


def ist(day: int, clock: str, month: int = 11) -> str:
    return f"2026-{month:02d}-{day:02d}T{clock}:00{IST}"


def est(day: int, clock: str, month: int = 11) -> str:
    return f"2026-{month:02d}-{day:02d}T{clock}:00{EST}"


def calls(*moments: str, result: str = "no_answer", loan: str | None = "L1", by: str = "bot") -> list[dict]:
    return [{"type": "call", "at": at, "loan_id": loan, "result": result, "by": by} for at in moments]


def judge(
    at: str,
    *,
    phone: str = INDIA,
    state: str = "",
    loan: str | None = "L1",
    channel: str = "bot",
    history: list[dict] | None = None,
    do_not_call: bool = False,
    outstanding: str = "12000.00",
) -> dict:
    return scenario_evaluate(
        {
            "id": 1,
            "at": at,
            "channel": channel,
            "loan_id": loan,
            "customer": {"phone": phone, "state": state, "do_not_call": do_not_call},
            "loans": [
                {"loan_id": "L1", "outstanding": outstanding, "due_date": "2026-11-01"},
                {"loan_id": "L2", "outstanding": "5000.00", "due_date": "2026-11-05"},
            ],
            "history": history or [],
        }
    )


def assert_decision(result: dict, reason: str | None, next_allowed_at: str | None = None) -> None:
    assert (result["allowed"], result["reason"], result["next_allowed_at"]) == (
        reason is None,
        reason,
        next_allowed_at,
    ), result["message"]


# --- Hours --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "reason", "next_allowed_at"),
    [
        (ist(17, "07:59"), "outside_hours", ist(17, "08:00")),
        (ist(17, "08:00"), None, None),
        (ist(17, "08:01"), None, None),
        (ist(17, "18:59"), None, None),
        (ist(17, "19:00"), "outside_hours", ist(18, "08:00")),
        (ist(17, "19:01"), "outside_hours", ist(18, "08:00")),
        (ist(18, "00:30"), "outside_hours", ist(18, "08:00")),
    ],
)
def test_india_calls_only_from_eight_to_seven_customer_time(at, reason, next_allowed_at):
    assert_decision(judge(at), reason, next_allowed_at)


@pytest.mark.parametrize(
    ("at", "reason", "next_allowed_at"),
    [
        (est(17, "07:59"), "outside_hours", est(17, "08:00")),
        (est(17, "08:00"), None, None),
        (est(17, "20:59"), None, None),
        (est(17, "21:00"), "outside_hours", est(18, "08:00")),
        (est(17, "21:01"), "outside_hours", est(18, "08:00")),
        # The same moment in India's zone: 06:29 in New York.
        ("2026-11-17T16:59:00+05:30", "outside_hours", est(17, "08:00")),
    ],
)
def test_us_calls_only_from_eight_to_nine_customer_time(at, reason, next_allowed_at):
    assert_decision(judge(at, phone=NEW_YORK, state="NY"), reason, next_allowed_at)


def test_us_hours_follow_daylight_saving_time():
    # 1 Nov 2026: New York leaves EDT (-04:00) for EST (-05:00) at 02:00.
    assert_decision(judge("2026-10-31T21:30:00-04:00", phone=NEW_YORK), "outside_hours", "2026-11-01T08:00:00-05:00")
    assert_decision(judge("2026-11-01T12:59:00+00:00", phone=NEW_YORK), "outside_hours", "2026-11-01T08:00:00-05:00")
    assert_decision(judge("2026-11-01T13:00:00+00:00", phone=NEW_YORK), None)
    # 8 Mar 2026: into EDT. 08:00 in New York is 12:00 UTC, not 13:00.
    assert_decision(judge("2026-03-08T11:59:00+00:00", phone=NEW_YORK), "outside_hours", "2026-03-08T08:00:00-04:00")
    assert_decision(judge("2026-03-08T12:00:00+00:00", phone=NEW_YORK), None)


def test_a_customer_who_may_be_in_two_zones_is_called_only_when_both_are_in_hours():
    # A New York number, a customer whose state is California: both zones count; days are counted in California.
    assert_decision(judge(est(17, "10:00"), phone=NEW_YORK, state="CA"), "outside_hours", "2026-11-17T08:00:00-08:00")
    assert_decision(judge(est(17, "11:00"), phone=NEW_YORK, state="CA"), None)
    assert_decision(judge(est(17, "20:59"), phone=NEW_YORK, state="CA"), None)
    assert_decision(judge(est(17, "21:00"), phone=NEW_YORK, state="CA"), "outside_hours", "2026-11-18T08:00:00-08:00")


def test_a_campaign_may_narrow_the_hours_but_never_widen_them():
    customer = CustomerFactory(phone=INDIA)
    narrow = CampaignFactory(window_start=time(10, 0), window_end=time(17, 0))
    wide = CampaignFactory(window_start=time(6, 0), window_end=time(22, 0))

    def decide(campaign, clock: str):
        request = GuardRequest(
            customer_id=customer.pk,
            phone=customer.phone,
            state="",
            window=(campaign.window_start, campaign.window_end),
        )
        return guard_check(request=request, at=datetime.fromisoformat(ist(17, clock)))

    assert decide(narrow, "09:59").code == "outside_hours"
    assert decide(narrow, "09:59").next_allowed_at.isoformat() == ist(17, "10:00")
    assert decide(narrow, "10:00")
    assert decide(narrow, "17:00").code == "outside_hours"
    assert decide(wide, "07:59").code == "outside_hours"
    assert decide(wide, "19:00").code == "outside_hours"
    assert decide(wide, "18:59")


def test_hours_narrowed_in_settings_apply(settings):
    settings.COMPLIANCE_OVERRIDES = {"IN": {"window": "09:00-18:00"}}
    assert_decision(judge(ist(17, "08:30")), "outside_hours", ist(17, "09:00"))
    assert_decision(judge(ist(17, "18:00")), "outside_hours", ist(18, "09:00"))
    assert_decision(judge(est(17, "08:30"), phone=NEW_YORK), None)  # the US rules are untouched


# --- Holidays -----------------------------------------------------------------------------------


def test_no_bot_calls_on_a_public_holiday_of_the_customers_country():
    # 24 Nov 2026: Guru Nanak's birthday in India; an ordinary Tuesday in New York.
    assert_decision(judge(ist(24, "10:00")), "holiday", ist(25, "08:00"))
    assert "Guru Nanak" in judge(ist(24, "10:00"))["message"]
    assert_decision(judge(est(24, "10:00"), phone=NEW_YORK), None)
    # The evening before: the next allowed time skips the holiday.
    assert_decision(judge(ist(23, "19:30")), "outside_hours", ist(25, "08:00"))
    # 26 Nov 2026: Thanksgiving in the US.
    assert_decision(judge(est(26, "10:00"), phone=NEW_YORK), "holiday", est(27, "08:00"))


def test_state_holidays_count_in_the_us():
    # 20 Apr 2026: Patriots' Day in Massachusetts, not in New York.
    assert_decision(judge("2026-04-20T10:00:00-04:00", phone=BOSTON), "holiday", "2026-04-21T08:00:00-04:00")
    assert_decision(judge("2026-04-20T10:00:00-04:00", phone=NEW_YORK, state="NY"), None)


def test_holidays_hold_back_the_bot_not_an_agent():
    assert_decision(judge(ist(24, "10:00"), channel="agent"), None)
    assert_decision(judge(ist(24, "19:30"), channel="agent"), "outside_hours", ist(25, "08:00"))


# --- Caps per customer ----------------------------------------------------------------------------


def test_india_at_most_three_attempts_a_local_day():
    two = calls(ist(17, "09:00"), ist(17, "10:00"))
    assert_decision(judge(ist(17, "12:00"), history=two), None)
    three = [*two, *calls(ist(17, "11:00"), loan="L2")]
    assert_decision(judge(ist(17, "12:00"), history=three), "daily_cap", ist(18, "08:00"))
    # Yesterday's attempts are yesterday's: 23:59 on the 16th is not the 17th in India.
    late = calls(ist(16, "23:59"), ist(16, "18:00"), ist(16, "17:00"))
    assert_decision(judge(ist(17, "12:00"), history=late), None)


def test_india_at_most_ten_attempts_in_seven_days():
    ten = [h for day in (12, 13, 14, 15, 16) for h in calls(ist(day, "10:00"), ist(day, "11:00"))]
    assert_decision(judge(ist(18, "10:00"), history=ten), "weekly_cap", ist(19, "08:00"))
    # On the 19th the attempts of the 12th are eight days old.
    assert_decision(judge(ist(19, "08:00"), history=ten), None)
    assert_decision(judge(ist(18, "10:00"), history=ten[1:]), None)


def test_attempts_count_whoever_made_them_and_only_if_they_reached_the_network():
    by_agents = calls(ist(17, "09:00"), ist(17, "09:30"), ist(17, "10:00"), result="conversation", by="agent")
    assert_decision(judge(ist(17, "12:00"), history=by_agents), "daily_cap", ist(18, "08:00"))
    never_dialled = calls(ist(17, "09:00"), ist(17, "09:30"), ist(17, "10:00"), result="failed_before_dial")
    assert_decision(judge(ist(17, "12:00"), history=never_dialled), None)
    mixed = (
        calls(ist(17, "09:00"), result="machine")
        + calls(ist(17, "09:30"), result="busy")
        + calls(ist(17, "10:00"), result="failed_before_dial")
    )
    assert_decision(judge(ist(17, "12:00"), history=mixed), None)


def test_us_customer_caps_apply_as_well():
    three = calls(est(17, "09:00"), loan="L1") + calls(est(17, "10:00"), loan="L2") + calls(est(17, "11:00"), loan=None)
    assert_decision(judge(est(17, "12:00"), phone=NEW_YORK, history=three), "daily_cap", est(18, "08:00"))


# --- Caps per debt (US) ---------------------------------------------------------------------------


def test_us_at_most_seven_attempts_per_debt_in_seven_days():
    week = calls(*(est(day, "10:00") for day in range(11, 18)))  # 11–17 Nov, one a day about L1
    assert_decision(judge(est(17, "15:00"), phone=NEW_YORK, history=week), "debt_weekly_cap", est(18, "08:00"))
    assert_decision(judge(est(18, "08:00"), phone=NEW_YORK, history=week), None)
    assert_decision(judge(est(17, "15:00"), phone=NEW_YORK, history=week[1:]), None)
    # Per debt: the other loan may be called about.
    assert_decision(judge(est(17, "15:00"), phone=NEW_YORK, history=week, loan="L2"), None)


def test_an_attempt_about_no_loan_in_particular_counts_for_every_loan():
    week = calls(*(est(day, "10:00") for day in range(11, 18)), loan=None)
    assert_decision(
        judge(est(17, "15:00"), phone=NEW_YORK, history=week, loan="L2"), "debt_weekly_cap", est(18, "08:00")
    )


def test_massachusetts_allows_two_attempts_per_debt_in_seven_days():
    two = calls(est(16, "10:00"), est(17, "10:00"))
    assert_decision(judge(est(17, "15:00"), phone=BOSTON, history=two), "debt_weekly_cap", est(23, "08:00"))
    assert "940 CMR 7.04" in judge(est(17, "15:00"), phone=BOSTON, history=two)["message"]
    assert_decision(judge(est(23, "08:00"), phone=BOSTON, history=two), None)
    # A New York number whose owner lives in Massachusetts: the state they gave rules.
    assert_decision(
        judge(est(17, "15:00"), phone=NEW_YORK, state="Massachusetts", history=two), "debt_weekly_cap", est(23, "08:00")
    )
    assert_decision(judge(est(17, "15:00"), phone=NEW_YORK, state="NY", history=two), None)
    assert_decision(judge(ist(17, "15:00"), history=calls(ist(16, "10:00"), ist(17, "10:00"))), None)


def test_seven_quiet_days_after_a_conversation_about_the_debt():
    spoke = calls(est(16, "14:00"), result="conversation", by="agent")
    assert_decision(judge(est(17, "10:00"), phone=NEW_YORK, history=spoke), "after_conversation", est(23, "08:00"))
    assert_decision(judge(est(22, "20:59"), phone=NEW_YORK, history=spoke), "after_conversation", est(23, "08:00"))
    assert_decision(judge(est(23, "08:00"), phone=NEW_YORK, history=spoke), None)
    assert_decision(judge(est(17, "10:00"), phone=NEW_YORK, history=spoke, loan="L2"), None)
    by_the_bot = calls(est(16, "14:00"), result="conversation", by="bot")
    assert_decision(judge(est(17, "10:00"), phone=NEW_YORK, history=by_the_bot), "after_conversation", est(23, "08:00"))
    # A machine is no conversation; India has no such rule.
    assert_decision(judge(est(17, "10:00"), phone=NEW_YORK, history=calls(est(16, "14:00"), result="machine")), None)
    assert_decision(judge(ist(17, "10:00"), history=calls(ist(16, "14:00"), result="conversation")), None)


# --- Live calls and promises ----------------------------------------------------------------------


def test_never_a_second_call_while_one_is_live():
    live = calls(ist(17, "11:55"), result="in_progress")
    result = judge(ist(17, "12:00"), history=live)
    assert_decision(result, "live_call", ist(17, "12:10"))


def test_no_call_about_a_loan_while_its_promise_is_open_and_not_yet_due():
    promise = [
        {
            "type": "promise",
            "at": ist(16, "10:00"),
            "loan_id": "L1",
            "amount": "500",
            "date": "2026-11-20",
            "grace_days": 2,
        }
    ]
    assert_decision(judge(ist(17, "10:00"), history=promise), "open_promise", ist(23, "08:00"))
    assert_decision(judge(ist(22, "18:00"), history=promise), "open_promise", ist(23, "08:00"))
    assert_decision(judge(ist(23, "08:00"), history=promise), None)
    assert_decision(judge(ist(17, "10:00"), history=promise, loan="L2"), None)


def test_a_promises_next_allowed_time_is_in_the_customers_zone_not_the_servers():
    promise = [
        {
            "type": "promise",
            "at": est(16, "10:00"),
            "loan_id": "L1",
            "amount": "500",
            "date": "2026-11-20",
            "grace_days": 0,
        }
    ]
    # 20:00 on the 20th in New York is already the 21st in India (the server's zone).
    assert_decision(judge(est(20, "20:00"), phone=NEW_YORK, history=promise), "open_promise", est(21, "08:00"))


# --- Suppressions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "channel", "loan", "reason"),
    [
        ("dispute", "bot", "L1", "dispute"),
        ("dispute", "agent", "L1", "dispute"),
        ("dispute", "bot", "L2", None),
        ("stop_calling", "bot", "L1", "stop_calling"),
        ("stop_calling", "agent", "L1", None),
        ("wrong_number", "bot", "L1", "wrong_number"),
        ("wrong_number", "agent", "L2", "wrong_number"),
        ("deceased", "agent", "L1", "do_not_call"),
        ("bankruptcy", "bot", "L2", "do_not_call"),
    ],
)
def test_suppressions_hold_until_a_person_lifts_them(kind, channel, loan, reason):
    history = [{"type": kind, "at": ist(16, "10:00"), "loan_id": "L1"}]
    result = judge(ist(17, "10:00"), history=history, channel=channel, loan=loan)
    assert_decision(result, reason, None)


def test_do_not_call_stops_everything():
    assert_decision(judge(ist(17, "10:00"), do_not_call=True, channel="agent"), "do_not_call", None)


def test_a_loan_that_owes_nothing_is_never_called_about():
    assert_decision(judge(ist(17, "10:00"), outstanding="0.00"), "settled", None)
    assert_decision(judge(ist(17, "10:00"), outstanding="0.00", loan="L2"), None)


def test_a_settled_loan_is_refused_as_settled_even_outside_hours():
    # No hour will ever allow the call, so the reason is the one that lasts, not the hour's.
    assert_decision(judge(ist(17, "07:55"), outstanding="0.00"), "settled", None)
    # The same hour about a loan that still owes is only early.
    assert_decision(
        judge(ist(17, "07:55"), outstanding="0.00", loan="L2"), "outside_hours", "2026-11-17T08:00:00+05:30"
    )


def test_the_first_reason_in_the_legal_order_is_reported():
    late_and_disputed = [{"type": "dispute", "at": ist(16, "10:00"), "loan_id": "L1"}]
    assert_decision(judge(ist(17, "22:00"), history=late_and_disputed, do_not_call=True), "do_not_call", None)
    assert_decision(judge(ist(17, "22:00"), history=late_and_disputed), "dispute", None)
    assert_decision(judge(ist(24, "22:00")), "holiday", ist(25, "08:00"))
    capped = calls(ist(17, "09:00"), ist(17, "10:00"), ist(17, "11:00"))
    # Outside hours and over the daily cap: hours first; tomorrow morning both are fine.
    assert_decision(judge(ist(17, "19:30"), history=capped), "outside_hours", ist(18, "08:00"))
    spoke = calls(est(16, "14:00"), result="conversation")
    seven = spoke + calls(*(est(day, "10:00") for day in range(11, 16)), est(17, "09:00"))
    assert_decision(judge(est(17, "10:00"), phone=NEW_YORK, history=seven), "after_conversation", est(23, "08:00"))


# --- Rule sets as data, and settings that may only tighten them ------------------------------------


def test_jurisdiction_comes_from_the_phone_and_in_the_us_the_state():
    assert jurisdiction_for(INDIA).code == "IN"
    assert jurisdiction_for(NEW_YORK).code == "US-NY"
    assert jurisdiction_for(BOSTON).code == "US-MA"
    assert jurisdiction_for(NEW_YORK, "massachusetts").code == "US-MA"
    assert jurisdiction_for(NEW_YORK, "MA").code == "US-MA"
    assert [z.key for z in jurisdiction_for(NEW_YORK, "CA").zones] == ["America/Los_Angeles", "America/New_York"]
    assert jurisdiction_for("+17875550123").code == "US-PR"  # Puerto Rico: US law
    assert jurisdiction_for(INDIA).home_zone.key == "Asia/Kolkata"
    assert rules_for("US", "MA").max_attempts_per_debt_7_days == 2
    assert rules_for("US", "NY").max_attempts_per_debt_7_days == 7
    assert rules_for("GB").window == rules_for("IN").window  # no rule set of its own: the strictest defaults


def test_settings_tighten_each_level_and_the_strictest_wins(settings):
    settings.COMPLIANCE_OVERRIDES = {
        "US": {"max_attempts_per_debt_7_days": 5, "window": "09:00-20:00"},
        "US-NY": {"max_attempts_per_7_days": 6},
        "IN": {"max_attempts_per_day": 2},
    }
    assert rules_for("US", "NY").max_attempts_per_debt_7_days == 5
    assert rules_for("US", "NY").max_attempts_per_7_days == 6
    assert rules_for("US", "MA").max_attempts_per_debt_7_days == 2  # the overlay is stricter still
    assert rules_for("US", "MA").window == (time(9, 0), time(20, 0))
    assert rules_for("IN").max_attempts_per_day == 2
    assert_decision(
        judge(ist(17, "12:00"), history=calls(ist(17, "09:00"), ist(17, "10:00"))), "daily_cap", ist(18, "08:00")
    )


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"IN": {"window": "07:00-19:00"}}, "wider than India"),
        ({"IN": {"window": "08:00-21:00"}}, "wider than India"),
        ({"US": {"max_attempts_per_debt_7_days": 8}}, "looser than United States"),
        ({"US-MA": {"max_attempts_per_debt_7_days": 3}}, "looser than United States (FDCPA, Reg F) + Massachusetts"),
        ({"US": {"quiet_days_after_conversation": 3}}, "shorter than"),
        ({"IN": {"holidays": False}}, "cannot be turned off"),
        ({"IN": {"max_calls": 2}}, "not a calling rule"),
        ({"FR": {"max_attempts_per_day": 2}}, "unknown jurisdiction"),
        ({"IN": {"window": "nine to five"}}, "HH:MM-HH:MM"),
        (["IN"], "JSON object"),
    ],
)
def test_a_setting_that_would_widen_the_law_is_refused(overrides, complaint):
    problems = overrides_problems(overrides)
    assert len(problems) == 1 and complaint in problems[0], problems


def test_narrowing_settings_are_accepted():
    assert (
        overrides_problems({"IN": {"window": "09:00-18:00", "max_attempts_per_7_days": 5}, "US-TX": {"holidays": True}})
        == []
    )


def test_scenarios_that_cannot_be_read_say_why():
    with pytest.raises(ScenarioError, match="at: 'tomorrow'"):
        scenario_evaluate({"id": 1, "at": "tomorrow", "customer": {"phone": INDIA}})
    with pytest.raises(ScenarioError, match="customer.phone"):
        scenario_evaluate({"id": 1, "at": ist(17, "10:00"), "customer": {"phone": "12"}})
    with pytest.raises(ScenarioError, match="result"):
        judge(ist(17, "10:00"), history=calls(ist(16, "10:00"), result="voicemail"))


def test_a_scenario_leaves_nothing_behind_and_hides_real_records_with_the_same_keys():
    from customers.models import Customer, Loan

    real = CustomerFactory(phone=INDIA)
    assert_decision(judge(ist(17, "10:00")), None)
    assert list(Customer.objects.values_list("pk", "phone")) == [(real.pk, INDIA)]
    assert not Loan.objects.exists()


def test_the_area_code_table_agrees_with_the_phone_numbering_data():
    import phonenumbers
    from phonenumbers import geocoder

    from calls.compliance.rules.us_area_codes import STATE_OF_AREA_CODE
    from calls.compliance.rules.us_states import us_state_code

    for area_code, state in STATE_OF_AREA_CODE.items():
        number = phonenumbers.parse(f"+1{area_code}5550123")
        assert us_state_code(geocoder.description_for_number(number, "en")) == state, area_code
        assert jurisdiction_for(f"+1{area_code}5550123").state == state


def test_a_number_no_line_has_is_still_judged_by_its_countrys_law():
    """+1 555 … is the US's, though unassigned: without a state, every mainland zone must be in hours."""
    assert_decision(judge(est(17, "10:59"), phone="+15555550123"), "outside_hours", est(17, "11:00"))
    assert_decision(judge(est(17, "11:00"), phone="+15555550123"), None)
    assert_decision(judge(est(17, "08:00"), phone="+15555550123", state="NY"), None)
