"""A provider with no telephone line: the whole product (dispatch, webhooks, outcomes) runs without one.

It places nothing. ``simulated_events`` says what a real provider would have posted for a call, and
the worker pushes each payload through ``build_webhook_request`` -> ``verify_webhook`` ->
``parse_webhook``, the very path a real webhook takes, so simulated calls exercise the real code.
Outcomes are drawn from ``random.Random(f"{seed}:{provider_call_id}")``: the same seed gives the same
call the same story, in any process, which makes demos and tests repeatable.
"""

import hashlib
import hmac
import io
import json
import random
import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest

from calls.models import AnsweredBy, CallStatus

from .base import CallProvider, DialRequest, ProviderError, ProviderEvent, WebhookRejected

SIGNATURE_HEADER = "X-Simulated-Signature"
WEBHOOK_PATH = "/api/v1/calls/webhooks/simulated/"
_SIMULATED_SID = re.compile(r"sim-([0-9]+)")

# Share of calls per outcome, in percent (roughly what an Indian collections list sees).
OUTCOME_WEIGHTS: dict[str, int] = {"no_answer": 25, "busy": 10, "failed": 5, "machine": 10, "human": 50}
# What a human does with the menu: press 1, 2, 3, or nothing at all ("").
HUMAN_CHOICE_WEIGHTS: dict[str, int] = {"1": 50, "2": 15, "3": 15, "": 20}

_BOT_GREETING = "Bot: Hello. This is a reminder that an instalment on your loan is due soon."
_BOT_MENU = (
    "Bot: Press 1 if you will pay by the due date. Press 2 if you have already paid. Press 3 to speak to an agent."
)
_HUMAN_OPENINGS = (
    "Customer: Hello?",
    "Customer: Haan, boliye.",
    "Customer: Yes, who is this?",
    "Customer: Hello, yes.",
)
_CHOICE_LINES: dict[str, tuple[tuple[str, ...], str]] = {
    "1": (
        ("Customer: Okay, I will pay.", "Customer: Haan, ho jayega.", "Customer: I'll pay by then."),
        "Bot: Thank you. We have noted your promise to pay by the due date.",
    ),
    "2": (
        ("Customer: I have already paid.", "Customer: Maine payment kar diya hai.", "Customer: Paid it last week."),
        "Bot: Thank you. We will check your payment and update your account.",
    ),
    "3": (
        (
            "Customer: I want to talk to someone.",
            "Customer: Agent se baat karni hai.",
            "Customer: Can I speak to a person?",
        ),
        "Bot: Thank you. An agent will call you back shortly.",
    ),
}
_NO_CHOICE_LINES = ("Customer: …", "Customer: Hello? I can't hear you.", "Customer: Not now, I'm busy.")


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()), k=1)[0]


def _int_or_none(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class SimulatedProvider(CallProvider):
    name = "simulated"

    def place_call(self, request: DialRequest) -> str:
        """Nothing to dial: the caller queues the playback of ``simulated_events``."""
        return f"sim-{request.call_id}"

    def hangup(self, provider_call_id: str) -> None:
        """There is no line to hang up."""

    def fetch_call(self, provider_call_id: str) -> ProviderEvent:
        """Where the call's story ends: the state of its last simulated event."""
        match = _SIMULATED_SID.fullmatch(provider_call_id)
        if match is None:
            raise ProviderError(f"{provider_call_id!r} is not a simulated call id (sim-<call id>).")
        call_id = int(match.group(1))
        events = self.simulated_events(provider_call_id=provider_call_id, call_id=call_id, seed=settings.SIMULATED_SEED)
        last = events[-1]
        status = str(last.get("status") or "")
        return ProviderEvent(
            provider_call_id=provider_call_id,
            status=status,
            call_id=call_id,
            answered_by=str(last.get("answered_by") or ""),
            duration_seconds=_int_or_none(last.get("duration")),
            recording_url=str(last.get("recording_url") or ""),
            event_id=f"{provider_call_id}:fetched:{status}",
            raw=last,
        )

    # --- What would happen ----------------------------------------------------------------------

    def simulated_events(self, *, provider_call_id: str, call_id: int, seed: int) -> list[dict]:
        """The webhook payloads a real provider would send for this call, in order; same inputs, same list."""
        rng = random.Random(f"{seed}:{provider_call_id}")  # noqa: S311 (repeatable on purpose, not a secret)
        counter = 0

        def event(**fields: Any) -> dict:
            nonlocal counter
            counter += 1
            return {"call_sid": provider_call_id, "call_id": call_id, "event_id": f"{provider_call_id}-{counter}"} | {
                key: value for key, value in fields.items() if value not in (None, "")
            }

        outcome = _weighted(rng, OUTCOME_WEIGHTS)
        if outcome == "busy":
            return [event(status=CallStatus.BUSY.value, duration=0)]
        if outcome == "failed":
            return [event(status=CallStatus.FAILED.value, duration=0)]
        events = [event(status=CallStatus.RINGING.value)]
        if outcome == "no_answer":
            events.append(event(status=CallStatus.NO_ANSWER.value, duration=0))
            return events
        if outcome == "machine":
            events.append(event(status=CallStatus.IN_PROGRESS.value, answered_by=AnsweredBy.MACHINE.value))
            duration = rng.randint(4, 15)  # a voicemail greeting, then the bot hangs up
            events.append(
                event(status=CallStatus.COMPLETED.value, answered_by=AnsweredBy.MACHINE.value, duration=duration)
            )
            return events

        events.append(event(status=CallStatus.IN_PROGRESS.value, answered_by=AnsweredBy.HUMAN.value))
        choice = _weighted(rng, HUMAN_CHOICE_WEIGHTS)
        lines = [_BOT_GREETING, rng.choice(_HUMAN_OPENINGS), _BOT_MENU]
        if choice:
            replies, thanks = _CHOICE_LINES[choice]
            lines += [rng.choice(replies), f"[Customer pressed {choice}]", thanks]
            events.append(event(digits=choice))
        else:
            lines += [
                rng.choice(_NO_CHOICE_LINES),
                "Bot: Sorry, we did not receive your choice.",
                _BOT_MENU,
                "Bot: Thank you for your time. Goodbye.",
            ]
        events.append(
            event(
                status=CallStatus.COMPLETED.value,
                answered_by=AnsweredBy.HUMAN.value,
                duration=rng.randint(20, 120),
                transcript="\n".join(lines),
                recording_url=f"https://recordings.invalid/{provider_call_id}.mp3",
            )
        )
        return events

    # --- Webhooks -------------------------------------------------------------------------------

    def sign(self, body: bytes) -> str:
        """HMAC-SHA256 of the body, so simulated webhooks are checked like real ones."""
        return hmac.new(settings.SIMULATED_WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()

    def verify_webhook(self, request: HttpRequest) -> bool:
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not signature or not settings.SIMULATED_WEBHOOK_SECRET:
            return False
        return hmac.compare_digest(signature.encode(), self.sign(request.body).encode())

    def parse_webhook(self, request: HttpRequest) -> ProviderEvent:
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise WebhookRejected("The simulated webhook body is not JSON.") from exc
        if not isinstance(data, dict) or not data.get("call_sid"):
            raise WebhookRejected("The simulated webhook has no call_sid.")
        status = str(data.get("status") or "")
        if status and status not in CallStatus.values:
            raise WebhookRejected(f"The simulated webhook has an unknown status {status!r}.")
        answered_by = str(data.get("answered_by") or "")
        return ProviderEvent(
            provider_call_id=str(data["call_sid"]),
            status=status,
            call_id=_int_or_none(data.get("call_id")),
            answered_by=answered_by if answered_by in AnsweredBy.values else "",
            duration_seconds=_int_or_none(data.get("duration")),
            recording_url=str(data.get("recording_url") or ""),
            digits=str(data.get("digits") or ""),
            transcript=str(data.get("transcript") or ""),
            event_id=str(data.get("event_id") or ""),
            raw=data,
        )

    def build_webhook_request(self, payload: dict) -> HttpRequest:
        """A signed POST as the webhook view would receive it, so the worker takes the real path."""
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        base = urlsplit(settings.PUBLIC_BASE_URL)
        request = HttpRequest()
        request.method = "POST"
        request.path = request.path_info = WEBHOOK_PATH
        request.META = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": WEBHOOK_PATH,
            "QUERY_STRING": "",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "SERVER_NAME": base.hostname or "127.0.0.1",
            "SERVER_PORT": str(base.port or (443 if base.scheme == "https" else 80)),
            "wsgi.url_scheme": base.scheme or "http",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_" + SIGNATURE_HEADER.upper().replace("-", "_"): self.sign(body),
        }
        request.content_type = "application/json"
        request.content_params = {}
        request._stream = io.BytesIO(body)
        request._read_started = False
        return request
