"""The whole loop with real processes: a file is uploaded, a campaign starts on the simulated
provider, Celery beat ticks the dispatcher, a worker places the calls, the simulated provider's
webhooks come back through the webhook path, and dispositions, promises and figures add up."""

from datetime import time

import pytest
from django.conf import settings

from calls.models import Call, CallStatus, PromiseToPay, WorkItem, WorkItemKind
from calls.providers.simulated import SimulatedProvider
from calls.selectors import campaign_metrics
from calls.services.campaigns import campaign_start
from calls.services.status import TERMINAL
from calls.tests.factories import CampaignFactory, phone_template
from uploads.tests.factories import upload_rows
from voiceassist.common.testing import wait_until

pytestmark = pytest.mark.worker

CUSTOMERS = 24


def _expected(call: Call) -> dict:
    """What the simulated provider will report for this call (it is deterministic under its seed)."""
    events = SimulatedProvider().simulated_events(
        provider_call_id=f"sim-{call.pk}", call_id=call.pk, seed=settings.SIMULATED_SEED
    )
    statuses = [e["status"] for e in events if e.get("status")]
    digits = next((e["digits"] for e in events if e.get("digits")), "")
    machine = any(e.get("answered_by") == "machine" for e in events)
    if statuses[-1] != "completed":
        code = statuses[-1]
    elif machine:
        code = "machine"
    else:
        code = {"1": "promise_to_pay", "2": "already_paid", "3": "agent_requested"}.get(digits, "no_input")
    return {"status": statuses[-1], "disposition": code}


def test_upload_campaign_dispatch_webhooks_and_figures(celery_worker_process):
    # Customers somewhere in calling hours right now: the guard's hours have tests of their own, and
    # the law cannot be widened for a test. This one is about the flow.
    template = phone_template(in_hours=True)
    rows = [["Customer Name", "Mobile No.", "Loan Account No", "Outstanding", "EMI Due Date"]]
    rows += [
        [f"Customer {i}", template.format(i), f"LN-{i:04d}", f"{(i + 1) * 1000:,}", "31/12/2099"]
        for i in range(CUSTOMERS)
    ]
    upload = upload_rows(rows)
    fast = {"CALLS_DISPATCH_EVERY_SECONDS": "1"}
    campaign = CampaignFactory(audience_upload=upload, window_start=time(0, 0), window_end=time(23, 59, 59))
    assert campaign_start(campaign=campaign, actor=None) == CUSTOMERS

    celery_worker_process("calls", **fast)
    celery_worker_process.beat(**fast)

    first_calls = Call.objects.filter(campaign=campaign, attempt=1)
    wait_until(lambda: first_calls.filter(status__in=TERMINAL).count() == CUSTOMERS, timeout=120)

    expected = {call.pk: _expected(call) for call in first_calls}
    for call in first_calls.select_related("disposition"):
        assert call.status == expected[call.pk]["status"], call.pk
        assert call.disposition.code == expected[call.pk]["disposition"], call.pk
        assert call.provider_call_id == f"sim-{call.pk}"

    promised = [pk for pk, e in expected.items() if e["disposition"] == "promise_to_pay"]
    assert sorted(PromiseToPay.objects.values_list("source_call_id", flat=True)) == sorted(promised)
    agent_calls = [pk for pk, e in expected.items() if e["disposition"] == "agent_requested"]
    assert sorted(
        WorkItem.objects.filter(kind=WorkItemKind.AGENT_REQUESTED).values_list("call_id", flat=True)
    ) == sorted(agent_calls)

    retry_outcomes = {"busy", "no_answer", "failed", "machine"}
    retries = Call.objects.filter(campaign=campaign, attempt=2)
    assert retries.count() == sum(1 for e in expected.values() if e["disposition"] in retry_outcomes)
    assert set(retries.values_list("status", flat=True)) <= {CallStatus.SCHEDULED}

    figures = campaign_metrics(campaign=campaign)
    contacts = {"machine": False, "busy": False, "no_answer": False, "failed": False}
    assert figures["attempts"] == CUSTOMERS
    assert figures["connects"] == sum(1 for e in expected.values() if contacts.get(e["disposition"], True))
    assert figures["promises"] == len(promised)
