"""Playing a simulated call: its line events and, when a person answers, the conversation, one beat at a
time through the services a real provider's webhooks reach (``call_webhook_receive``, ``voice_*``)."""

from decimal import ROUND_DOWN, Decimal

from django.conf import settings

from calls.conversation import ENDED, loans_in_conversation
from calls.models import Call, CallEventKind
from calls.providers.simulated import SimulatedProvider

from .status import TERMINAL
from .voice import voice_answered, voice_turn
from .webhooks import call_webhook_receive

SIMULATED_RECORDINGS = "https://recordings.simulated.invalid/"


def _facts(call: Call) -> dict:
    """What the simulated borrower knows: a figure to promise (all of it, or a round share) and the loan's end."""
    loans = loans_in_conversation(call)
    total = sum((loan.outstanding_amount or Decimal("0") for loan in loans), Decimal("0"))
    share = total if call.pk % 3 else (total / 2).quantize(Decimal("100"), rounding=ROUND_DOWN) or total
    digits = "".join(ch for ch in (loans[0].loan_id if loans else "") if ch.isdigit())
    return {"amount": f"{share.quantize(Decimal('1'), rounding=ROUND_DOWN)}", "loan_end": digits[-4:]}


def simulated_call_play(*, call_id: int, beat: int) -> bool:
    """Play beat ``beat`` of the call's story; True when the story is over."""
    simulator, seed = SimulatedProvider(), settings.SIMULATED_SEED
    call = Call.objects.select_related("campaign", "customer", "loan").get(pk=call_id)
    if not call.provider_call_id:
        return True
    line = simulator.line_events(provider_call_id=call.provider_call_id, call_id=call.pk, seed=seed)
    if beat < len(line) - 1 or len(line) < 3:
        # Ringing, answered (or busy, failed, no answer): as the provider would post them.
        call_webhook_receive(provider_name=simulator.name, fields=line[min(beat, len(line) - 1)], call_id=call.pk)
        return beat >= len(line) - 1
    if call.status in TERMINAL:
        return True
    dialogue = call.dialogue or {}
    if not dialogue and call.answered_by != "machine":
        voice_answered(call_id=call.pk)
        return False
    if dialogue and dialogue.get("step") != ENDED:
        step = dialogue.get("step", "")
        asked_before = sum(
            1
            for detail in call.events.filter(kind=CallEventKind.TURN).values_list("detail", flat=True)
            if detail.get("step") == step
        )
        fields = simulator.answer(
            provider_call_id=call.provider_call_id,
            seed=seed,
            step=step,
            turn=beat,
            language=call.customer.preferred_language,
            facts={**_facts(call), "asked_before": asked_before},
        )
        voice_turn(call_id=call.pk, heard=simulator.parse_answer(fields))
        return False
    # The conversation is over: the provider says the call completed (with the recording, when recorded).
    last = dict(line[-1])
    if call.campaign is not None and call.campaign.record_calls and call.answered_by != "machine":
        last["recording_url"] = f"{SIMULATED_RECORDINGS}{call.provider_call_id}.mp3"
    call_webhook_receive(provider_name=simulator.name, fields=last, call_id=call.pk)
    return True
