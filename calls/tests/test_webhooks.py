"""Provider events through the webhook endpoints: signatures, replays, late events, the conversation."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from twilio.request_validator import RequestValidator

from calls.models import AnsweredBy, Call, CallStatus
from calls.providers.simulated import SimulatedProvider
from calls.tests.factories import CallFactory
from customers.tests.factories import CustomerFactory, LoanFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/calls/webhooks/simulated/"


@pytest.fixture
def dialing_call():
    loan = LoanFactory(
        outstanding_amount=Decimal("42000.00"),
        due_date=date(2099, 1, 31),
        customer=CustomerFactory(full_name="Asha Rao", phone="+919876543210"),
    )
    call = CallFactory(customer=loan.customer, loan=loan, status=CallStatus.DIALING, started_at=timezone.now())
    call.provider_call_id = f"sim-{call.pk}"
    call.save()
    return call


def post_simulated(client: Client, payload: dict, *, signature: str | None = None):
    body = json.dumps(payload).encode()
    headers = {} if signature == "" else {"HTTP_X_SIMULATED_SIGNATURE": signature or SimulatedProvider().sign(body)}
    return client.post(URL, body, content_type="application/json", **headers)


def event(call, n: int, **fields) -> dict:
    return {"call_sid": call.provider_call_id, "call_id": call.pk, "event_id": f"{call.provider_call_id}-{n}", **fields}


def test_a_signed_event_moves_the_call_forward(client, dialing_call):
    response = post_simulated(client, event(dialing_call, 1, status="ringing"))

    assert response.status_code == 200
    dialing_call.refresh_from_db()
    assert dialing_call.status == CallStatus.RINGING


@pytest.mark.parametrize("signature", ["", "0" * 64])
def test_a_missing_or_bad_signature_gets_403_and_changes_nothing(client, dialing_call, signature):
    response = post_simulated(client, event(dialing_call, 1, status="completed"), signature=signature)

    assert response.status_code == 403
    dialing_call.refresh_from_db()
    assert dialing_call.status == CallStatus.DIALING
    assert not dialing_call.events.filter(kind="webhook").exists()


def test_an_unreadable_event_gets_400(client, dialing_call):
    assert post_simulated(client, {"status": "ringing"}).status_code == 400


def test_an_unknown_provider_is_404(client):
    assert client.post("/api/v1/calls/webhooks/nokia/", {}).status_code == 404


def test_the_same_event_twice_changes_nothing_more(client, dialing_call):
    answered = event(dialing_call, 1, status="in_progress", answered_by="human")
    post_simulated(client, answered)
    post_simulated(client, answered)
    post_simulated(client, event(dialing_call, 2, status="completed", duration=20))

    assert dialing_call.events.filter(kind="webhook").count() == 2
    assert list(dialing_call.events.filter(kind="status").values_list("status", flat=True)) == [
        "in_progress",
        "completed",
    ]


def test_events_out_of_order_leave_the_same_end_state(client, dialing_call):
    post_simulated(client, event(dialing_call, 3, status="completed", duration=42, answered_by="human"))
    post_simulated(client, event(dialing_call, 1, status="ringing"))
    post_simulated(client, event(dialing_call, 2, status="in_progress"))

    dialing_call.refresh_from_db()
    assert dialing_call.status == CallStatus.COMPLETED
    assert dialing_call.duration_seconds == 42
    assert dialing_call.answered_by == AnsweredBy.HUMAN


def test_no_key_pressed_ends_as_answered_without_a_choice(client, dialing_call):
    post_simulated(client, event(dialing_call, 1, status="in_progress", answered_by="human"))
    post_simulated(client, event(dialing_call, 2, status="completed", duration=25))

    dialing_call.refresh_from_db()
    assert dialing_call.disposition.code == "no_input"
    assert not dialing_call.promises.exists()


@pytest.mark.parametrize(("status", "code"), [("busy", "busy"), ("no_answer", "no_answer"), ("failed", "failed")])
def test_telephony_outcomes_set_the_disposition_and_schedule_a_retry(client, dialing_call, status, code):
    from calls.models import CampaignStatus
    from calls.tests.factories import CampaignFactory

    dialing_call.campaign = CampaignFactory(status=CampaignStatus.RUNNING)
    dialing_call.save()

    post_simulated(client, event(dialing_call, 1, status=status))

    dialing_call.refresh_from_db()
    assert dialing_call.disposition.code == code
    retry = dialing_call.customer.calls.exclude(pk=dialing_call.pk).get()
    assert retry.status == CallStatus.SCHEDULED and retry.attempt == 2


def test_an_answering_machine_is_a_telephony_outcome(client, dialing_call):
    post_simulated(client, event(dialing_call, 1, status="in_progress", answered_by="machine"))
    post_simulated(client, event(dialing_call, 2, status="completed", duration=8))

    dialing_call.refresh_from_db()
    assert dialing_call.disposition.code == "machine"


# --- Twilio and Exotel through the same endpoint ---------------------------------------------------


@pytest.fixture
def twilio_settings(settings):
    settings.TWILIO_AUTH_TOKEN = "test-auth-token"
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.PUBLIC_BASE_URL = "https://voiceassist.example.com"
    return settings


def post_twilio(client, path: str, params: dict, *, good: bool = True):
    url = "https://voiceassist.example.com" + path
    signature = RequestValidator("test-auth-token").compute_signature(url, params) if good else "bogus"
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def test_twilio_status_callbacks_are_verified_and_applied(client, twilio_settings):
    call = CallFactory(provider="twilio", status=CallStatus.DIALING, provider_call_id="CA" + "1" * 32)
    path = f"/api/v1/calls/webhooks/twilio/?call={call.pk}"
    params = {
        "CallSid": call.provider_call_id,
        "CallStatus": "in-progress",
        "AnsweredBy": "human",
        "SequenceNumber": "1",
    }

    assert post_twilio(client, path, params, good=False).status_code == 403
    assert post_twilio(client, path, params).status_code == 200
    assert post_twilio(client, path, params).status_code == 200  # a replay
    call.refresh_from_db()
    assert call.status == CallStatus.IN_PROGRESS and call.answered_by == "human"
    assert call.events.filter(kind="webhook").count() == 1


def _twilio_live_call(**loan_fields) -> Call:
    loan = LoanFactory(
        outstanding_amount=loan_fields.pop("outstanding_amount", Decimal("125000.00")),
        due_date=date(2099, 1, 31),
        customer=CustomerFactory(full_name="राम कुमार", preferred_language=loan_fields.pop("language", "hi")),
    )
    return CallFactory(
        provider="twilio",
        customer=loan.customer,
        loan=loan,
        status=CallStatus.IN_PROGRESS,
        provider_call_id="CA" + "2" * 32,
    )


def test_twilio_greeting_listens_for_speech_and_keys_in_the_customers_language(client, twilio_settings):
    call = _twilio_live_call()
    path = f"/api/v1/calls/voice/twilio/{call.pk}/"

    response = post_twilio(client, path, {"CallSid": call.provider_call_id})

    assert response.status_code == 200
    twiml = response.content.decode()
    assert "राम" in twiml and "1,25,000" not in twiml  # the greeting names no debt
    assert 'input="speech dtmf"' in twiml and 'language="hi-IN"' in twiml and 'voice="Polly.Aditi"' in twiml
    assert 'actionOnEmptyResult="true"' in twiml and f"/voice/twilio/{call.pk}/gather/" in twiml
    assert post_twilio(client, path, {"CallSid": call.provider_call_id}, good=False).status_code == 403


def test_twilio_speech_turns_lead_to_a_recorded_promise(client, twilio_settings):
    call = _twilio_live_call(outstanding_amount=Decimal("5000.00"), language="en")
    gather = f"/api/v1/calls/voice/twilio/{call.pk}/gather/"
    post_twilio(client, f"/api/v1/calls/voice/twilio/{call.pk}/", {"CallSid": call.provider_call_id})

    ask = post_twilio(client, gather, {"CallSid": call.provider_call_id, "SpeechResult": "Yes", "Confidence": "0.9"})
    assert "₹5,000" in ask.content.decode() and 'voice="Polly.Raveena"' in ask.content.decode()
    post_twilio(client, gather, {"CallSid": call.provider_call_id, "SpeechResult": "I will pay 3000 tomorrow"})
    done = post_twilio(client, gather, {"CallSid": call.provider_call_id, "Digits": "1"})

    assert "<Hangup" in done.content.decode() and "promise" in done.content.decode()
    assert call.promises.get().amount == Decimal("3000")
    assert post_twilio(client, gather, {"CallSid": call.provider_call_id, "Digits": "1"}, good=False).status_code == 403


def test_twilio_machine_verdict_leaves_the_limited_message_and_counts_as_machine(
    client, twilio_settings, monkeypatch, django_capture_on_commit_callbacks
):
    from calls.models import MachineMessage
    from calls.providers.twilio import TwilioProvider
    from calls.tests.factories import CampaignFactory

    spoken = []
    monkeypatch.setattr(TwilioProvider, "speak_to_live_call", lambda self, sid, reply: spoken.append((sid, reply)))
    call = _twilio_live_call(language="en")
    call.campaign = CampaignFactory(machine_message=MachineMessage.LIMITED, provider="twilio")
    call.answered_by = ""
    call.save()
    webhook = f"/api/v1/calls/webhooks/twilio/?call={call.pk}"

    with django_capture_on_commit_callbacks(execute=True):
        post_twilio(client, webhook, {"CallSid": call.provider_call_id, "AnsweredBy": "machine_end_beep"})
    post_twilio(client, webhook, {"CallSid": call.provider_call_id, "CallStatus": "completed", "CallDuration": "19"})

    call.refresh_from_db()
    assert call.answered_by == AnsweredBy.MACHINE and call.disposition.code == "machine"
    assert not call.disposition.is_contact
    [(sid, reply)] = spoken
    assert sid == call.provider_call_id and reply.ends and "1,25,000" not in " ".join(reply.say)


def test_twilio_recording_callback_stores_the_recording(client, twilio_settings):
    call = _twilio_live_call()
    params = {
        "CallSid": call.provider_call_id,
        "RecordingSid": "RE" + "1" * 32,
        "RecordingStatus": "completed",
        "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE" + "1" * 32,
    }
    assert post_twilio(client, f"/api/v1/calls/webhooks/twilio/?call={call.pk}", params).status_code == 200
    call.refresh_from_db()
    assert call.recording_url == params["RecordingUrl"]


def test_exotel_callbacks_need_the_secret_token(client, settings):
    settings.EXOTEL_WEBHOOK_TOKEN = "exotel-secret"
    call = CallFactory(provider="exotel", status=CallStatus.DIALING, provider_call_id="exo-123")
    body = json.dumps({"CallSid": "exo-123", "Status": "busy", "CustomField": str(call.pk)})

    refused = client.post("/api/v1/calls/webhooks/exotel/?token=wrong", body, content_type="application/json")
    accepted = client.post("/api/v1/calls/webhooks/exotel/?token=exotel-secret", body, content_type="application/json")

    assert (refused.status_code, accepted.status_code) == (403, 200)
    call.refresh_from_db()
    assert call.status == CallStatus.BUSY and call.disposition.code == "busy"


def test_twilio_events_out_of_order_never_move_the_status_back(client, twilio_settings):
    call = CallFactory(provider="twilio", status=CallStatus.DIALING, provider_call_id="CA" + "4" * 32)
    path = f"/api/v1/calls/webhooks/twilio/?call={call.pk}"
    completed = {
        "CallSid": call.provider_call_id,
        "CallStatus": "completed",
        "CallDuration": "31",
        "SequenceNumber": "3",
    }
    ringing = {"CallSid": call.provider_call_id, "CallStatus": "ringing", "SequenceNumber": "1"}

    assert post_twilio(client, path, completed).status_code == 200
    assert post_twilio(client, path, ringing).status_code == 200

    call.refresh_from_db()
    assert call.status == CallStatus.COMPLETED and call.duration_seconds == 31


def test_exotel_replays_are_harmless(client, settings):
    settings.EXOTEL_WEBHOOK_TOKEN = "exotel-secret"
    call = CallFactory(provider="exotel", status=CallStatus.IN_PROGRESS, provider_call_id="exo-9")
    body = json.dumps({"CallSid": "exo-9", "Status": "completed", "ConversationDuration": "40"})
    url = "/api/v1/calls/webhooks/exotel/?token=exotel-secret"

    for _ in range(2):
        assert client.post(url, body, content_type="application/json").status_code == 200

    call.refresh_from_db()
    assert call.status == CallStatus.COMPLETED and call.duration_seconds == 40
    assert call.events.filter(kind="webhook").count() == 1


def test_exotel_flow_fetches_each_prompt_and_passes_the_keys_through(client, settings):
    """Exotel's flow: Gather (dynamic URL: our prompt) → Passthru (the keys) → back to the Gather while we
    answer 200, to the closing Greeting (``?say=1``) and Hangup when we answer 302."""
    settings.EXOTEL_WEBHOOK_TOKEN = "exotel-secret"
    loan = LoanFactory(outstanding_amount=Decimal("900.00"), due_date=date(2099, 1, 31))
    call = CallFactory(
        provider="exotel", customer=loan.customer, loan=loan, status=CallStatus.IN_PROGRESS, provider_call_id="exo-9"
    )
    query = {"token": "exotel-secret", "CallSid": "exo-9"}

    assert client.get("/api/v1/calls/voice/exotel/prompt/", {**query, "token": "wrong"}).status_code == 403
    greeting = client.get("/api/v1/calls/voice/exotel/prompt/", query).json()
    assert "gather_prompt" in greeting and "900" not in greeting["gather_prompt"]["text"]
    assert greeting["max_input_digits"] == 1
    # The passthru sends the key pressed as a GET, its value in quotes.
    assert client.get("/api/v1/calls/voice/exotel/answer/", {**query, "digits": '"1"'}).status_code == 200
    ask = client.get("/api/v1/calls/voice/exotel/prompt/", query).json()
    assert "₹900" in ask["gather_prompt"]["text"]
    assert client.get("/api/v1/calls/voice/exotel/answer/", {**query, "digits": '"1"'}).status_code == 200
    ended = client.get("/api/v1/calls/voice/exotel/answer/", {**query, "digits": '"1"'})
    assert ended.status_code == 302
    closing = client.get("/api/v1/calls/voice/exotel/prompt/", {**query, "say": "1"})
    assert closing["Content-Type"].startswith("text/plain")
    assert call.promises.get().amount == Decimal("900.00")


def test_an_event_that_skips_steps_walks_the_transitions_map_and_counts_as_an_attempt(client, dialing_call):
    """A provider's "completed" for a call we still think is queued passes through dialing: one map, no shortcut."""
    dialing_call.status, dialing_call.started_at = CallStatus.QUEUED, None
    dialing_call.save()

    post_simulated(client, event(dialing_call, 1, status="completed", duration=12))

    dialing_call.refresh_from_db()
    assert dialing_call.status == CallStatus.COMPLETED and dialing_call.started_at is not None
    assert list(dialing_call.events.filter(kind="status").values_list("status", flat=True)) == ["dialing", "completed"]


def test_a_signed_event_about_another_call_reposted_for_this_one_changes_nothing(client, dialing_call):
    """The simulated provider signs the body, not the URL: "?call=" must not redirect an event."""
    body = json.dumps({"call_sid": "sim-somebody-else", "event_id": "other-1", "status": "completed"}).encode()
    signature = SimulatedProvider().sign(body)

    response = client.post(
        f"{URL}?call={dialing_call.pk}", body, content_type="application/json", HTTP_X_SIMULATED_SIGNATURE=signature
    )

    assert response.json() == {"result": "ignored"}
    dialing_call.refresh_from_db()
    assert dialing_call.status == CallStatus.DIALING and not dialing_call.events.filter(kind="webhook").exists()


def test_our_id_still_finds_a_call_whose_provider_id_is_not_stored_yet(client, dialing_call):
    dialing_call.provider_call_id = ""
    dialing_call.save()

    post_simulated(
        client, {"call_sid": "sim-new", "call_id": dialing_call.pk, "event_id": "new-1", "status": "ringing"}
    )

    dialing_call.refresh_from_db()
    assert (dialing_call.status, dialing_call.provider_call_id) == (CallStatus.RINGING, "sim-new")


def test_a_signed_twilio_event_about_another_call_posted_for_this_one_changes_nothing(client, twilio_settings):
    """Twilio signs what it posts; a valid event whose CallSid is another call's must not move this one."""
    this = CallFactory(provider="twilio", status=CallStatus.DIALING, provider_call_id="CA" + "7" * 32)
    path = f"/api/v1/calls/webhooks/twilio/?call={this.pk}"

    response = post_twilio(client, path, {"CallSid": "CA" + "8" * 32, "CallStatus": "completed"})

    assert response.status_code == 200 and response.json() == {"result": "ignored"}
    this.refresh_from_db()
    assert this.status == CallStatus.DIALING and not this.events.exists()
