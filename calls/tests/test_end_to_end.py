"""The whole loop with real processes: a file is uploaded, a campaign starts on the simulated provider,
Celery beat ticks the dispatcher, a worker places the calls, and the simulated provider plays each
call — the line, then a conversation in English, Hindi or Hinglish — through the services a real
provider's webhooks reach. Each kind of answer must leave what it means, and no debt detail may ever be
spoken before the right-party check passed."""

import re
from collections import defaultdict
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from calls.compliance.jurisdiction import jurisdiction_for
from calls.figures import figures_compute
from calls.models import AnsweredBy, Call, CallStatus, MachineMessage, PromiseToPay, WorkItem, WorkItemKind
from calls.providers.simulated import PERSONA_WEIGHTS, SimulatedProvider
from calls.services.campaigns import campaign_start
from calls.services.status import TERMINAL
from calls.tests.factories import CampaignFactory, phone_template
from customers.models import Suppression, SuppressionKind
from uploads.tests.factories import upload_rows
from voiceassist.common.testing import wait_until

pytestmark = pytest.mark.worker

CUSTOMERS = 64
# Anything that tells a stranger (or a voicemail box) about a debt.
DEBT = re.compile(r"₹|\$|rupee|रुपये|loan|लोन|due|देय|outstanding|बकाया|debt|ऋण", re.IGNORECASE)
# The steps after which the bot speaks of the debt: the right-party check has passed.
TALKS_OF_THE_DEBT = {"ask", "ask_date", "confirm"}


def _seed_covering_every_story(call_ids: list[int]) -> int:
    """A seed under which these calls cover every kind of answer, a machine and a dead line: the
    simulated provider is deterministic, so the test picks its cast instead of hoping for it."""
    simulator = SimulatedProvider()
    wanted = set(PERSONA_WEIGHTS) | {"machine", "no_answer"}
    for seed in range(1, 20_000):
        stories = [simulator.story(provider_call_id=f"sim-{pk}", seed=seed) for pk in call_ids]
        seen = {story.persona or story.outcome for story in stories}
        if wanted <= seen:
            return seed
    raise AssertionError("No seed covers every story: add customers.")


def _turns(call: Call) -> list[dict]:
    return list(call.events.filter(kind="turn").order_by("created_at", "id").values_list("detail", flat=True))


def test_a_simulated_campaign_of_conversations(celery_worker_process):
    template = phone_template(in_hours=True, margin=timedelta(minutes=10))
    today = timezone.now().astimezone(jurisdiction_for(template.format(0)).home_zone).date()
    overdue = today - timedelta(days=12)
    rows = [["Customer Name", "Mobile No.", "Loan Account No", "Outstanding", "EMI Due Date", "Language"]]
    rows += [
        [
            f"Borrower{i} Test",
            template.format(i),
            f"LN-{4000 + i}",
            f"{(i + 10) * 1000:,}",
            f"{overdue:%d/%m/%Y}",
            "Hindi" if i % 2 else "English",
        ]
        for i in range(CUSTOMERS)
    ]
    upload = upload_rows(rows)
    campaign = CampaignFactory(
        audience_upload=upload,
        window_start=time(0, 0),
        window_end=time(23, 59, 59),
        machine_message=MachineMessage.LIMITED,
        record_calls=True,
        transfer_number="+918000000001",
    )
    assert campaign_start(campaign=campaign, actor=None) == CUSTOMERS
    first_calls = Call.objects.filter(campaign=campaign, attempt=1)
    seed = _seed_covering_every_story(list(first_calls.values_list("pk", flat=True)))

    fast = {"CALLS_DISPATCH_EVERY_SECONDS": "1", "SIMULATED_EVENT_DELAY": "0.05", "SIMULATED_SEED": str(seed)}
    agents_always_in = {"VOICE_AGENT_HOURS": "00:00-23:59", "VOICE_AGENT_WEEKDAYS": "0,1,2,3,4,5,6"}
    celery_worker_process("calls", **fast, **agents_always_in)
    celery_worker_process.beat(**fast)
    wait_until(lambda: first_calls.filter(status__in=TERMINAL).count() == CUSTOMERS, timeout=240)

    simulator = SimulatedProvider()
    by_story: dict[str, list[Call]] = defaultdict(list)
    for call in first_calls.select_related("disposition", "customer"):
        story = simulator.story(provider_call_id=call.provider_call_id, seed=seed)
        by_story[story.persona or story.outcome].append(call)
        turns = _turns(call)
        # Nothing about the debt before the right-party check: every prompt the bot produced is checked.
        for turn in turns:
            if turn["next"] in TALKS_OF_THE_DEBT and turn["step"] != "answered":
                break
            for said in turn["said"]:
                assert not DEBT.search(said), (call.pk, story, said)
        if story.outcome == "human":
            assert call.transcript.startswith("Bot: "), call.pk
            if call.customer.preferred_language == "hi":
                assert "नमस्ते" in turns[0]["said"][-1]
            assert call.recording_url.endswith(f"{call.provider_call_id}.mp3")
            assert turns[0]["said"][0] == "This call is recorded." or "रिकॉर्ड" in turns[0]["said"][0]

    def codes(story: str) -> set[str]:
        return {call.disposition.code for call in by_story[story]}

    def items(story: str, kind: str) -> int:
        return WorkItem.objects.filter(call__in=by_story[story], kind=kind).count()

    def suppressions(story: str, kind: str) -> int:
        return Suppression.objects.filter(reference__in=[f"call #{c.pk}" for c in by_story[story]], kind=kind).count()

    # Promises: with the amount and the day said, confirmed back; by keys, the whole amount in a week.
    for story in ("promise", "promise_later_date", "promise_changed", "keypad_promise"):
        assert codes(story) == {"promise_to_pay"}, story
        for call in by_story[story]:
            promises = list(PromiseToPay.objects.filter(source_call=call))
            assert promises, (story, call.pk)
            local_today = timezone.now().astimezone(jurisdiction_for(call.phone_dialled).home_zone).date()
            days = {(promise.promised_date - local_today).days for promise in promises}
            assert days <= ({7} if story == "keypad_promise" else {1, 2}), (story, days)
            total = sum(promise.amount for promise in promises)
            outstanding = call.loan.outstanding_amount if call.loan else None
            assert Decimal("0") < total <= outstanding
    # "No, that's not right" at the confirmation: asked again, and the second figure is the one recorded.
    for call in by_story["promise_changed"]:
        assert [turn.get("intent") for turn in _turns(call) if turn["step"] == "confirm"] == ["no", "yes"]
    assert codes("already_paid") == {"already_paid"}
    assert items("already_paid", WorkItemKind.PAYMENT_CHECK) == len(by_story["already_paid"])
    assert suppressions("already_paid", SuppressionKind.DISPUTE) == len(by_story["already_paid"])
    assert codes("dispute") == {"dispute"}
    assert items("dispute", WorkItemKind.DISPUTE) == len(by_story["dispute"])
    assert codes("cannot_pay") == {"cannot_pay"}
    assert items("cannot_pay", WorkItemKind.HARDSHIP) == len(by_story["cannot_pay"])
    assert codes("stop_calling") == {"stop_calling"}
    assert suppressions("stop_calling", SuppressionKind.STOP_CALLING) == len(by_story["stop_calling"])
    assert codes("wrong_number") == {"wrong_number"}
    assert suppressions("wrong_number", SuppressionKind.WRONG_NUMBER) == len(by_story["wrong_number"])
    assert codes("agent") == {"transferred"}
    assert all(any(turn.get("transfer") for turn in _turns(call)) for call in by_story["agent"])
    assert codes("callback") == {"callback_requested"}
    for call in by_story["callback"]:
        follow_up = Call.objects.filter(customer=call.customer, campaign=campaign).exclude(pk=call.pk).get()
        assert follow_up.status == CallStatus.SCHEDULED and follow_up.scheduled_for > timezone.now()
    # Someone else answered: told the callback number, no debt, a retry later; silence: no choice made.
    assert codes("third_party") == {"not_available"}
    assert codes("silent") == {"no_input"}
    for call in by_story["machine"]:
        assert call.disposition.code == "machine" and call.answered_by == AnsweredBy.MACHINE
        [machine_turn] = _turns(call)
        assert machine_turn["step"] == "machine" and "Priya" in " ".join(machine_turn["said"])
        assert not call.recording_url

    figures = figures_compute(campaign=campaign)
    assert figures["attempts"] == CUSTOMERS
    # Machines, dead lines and silence are never connects.
    connects = sum(
        len(calls)
        for story, calls in by_story.items()
        if story not in {"machine", "no_answer", "busy", "failed", "silent"}
    )
    assert figures["connects"] == connects
