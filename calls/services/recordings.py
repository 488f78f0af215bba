"""Call recordings: playing one back to staff, and deleting them once the retention period is over.

Recordings stay where the provider keeps them; the server fetches one with the provider's credentials when
an agent plays it, so neither the credentials nor the provider's URL ever reach a browser. Simulated calls
have no audio anywhere: they play a second of silence bundled with the app.
"""

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from calls.models import Call, CallEventKind, Provider
from calls.providers import PROVIDERS, CallProvider, ProviderError, provider_get
from calls.providers.base import RecordingAudio, RecordingNotFound
from calls.services.status import call_record_event
from voiceassist.common.exceptions import ApplicationError

logger = logging.getLogger(__name__)

SIMULATED_RECORDING = "audio/simulated-recording.wav"
CHUNK_BYTES = 64 * 1024


def recording_retention_note(*, call: Call) -> str:
    """What staff read where a deleted recording was: when, and why."""
    deleted = timezone.localtime(call.recording_deleted_at)
    return f"Recording deleted on {deleted:%-d %b %Y} (kept {settings.VOICE_RECORDING_RETENTION_DAYS} days)."


def recording_open(*, call: Call) -> RecordingAudio:
    """The call's recording, streaming from its provider.

    Raises ``ApplicationError``: ``recording_deleted`` or ``recording_absent`` (nothing to play),
    ``recording_unreachable`` (the provider could not be asked, or refused).
    """
    if call.recording_deleted_at is not None:
        raise ApplicationError(recording_retention_note(call=call), code="recording_deleted")
    if not call.recording_url:
        raise ApplicationError("This call has no recording.", code="recording_absent")
    if call.provider == Provider.SIMULATED:
        return _simulated_recording()
    if call.provider not in PROVIDERS:
        raise ApplicationError("This call has no recording.", code="recording_absent")
    try:
        audio = provider_get(call.provider).recording_fetch(call.recording_url)
    except RecordingNotFound as exc:
        raise ApplicationError(str(exc), code="recording_absent") from exc
    except ProviderError as exc:
        raise ApplicationError(str(exc), code="recording_unreachable") from exc
    # Served from this site's origin: whatever the provider calls it, it goes out as audio, never as a page.
    if not audio.content_type.lower().startswith("audio/"):
        audio = replace(audio, content_type="audio/mpeg")
    return audio


def _simulated_recording() -> RecordingAudio:
    path = finders.find(SIMULATED_RECORDING)
    if not path:
        raise ApplicationError("The simulated recording is missing from the static files.", code="recording_absent")
    path = Path(path)
    return RecordingAudio(chunks=_file_chunks(path), content_type="audio/wav", size=path.stat().st_size)


def _file_chunks(path: Path):
    with path.open("rb") as audio:
        while chunk := audio.read(CHUNK_BYTES):
            yield chunk


def recordings_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Delete the recordings of calls that ended more than ``VOICE_RECORDING_RETENTION_DAYS`` ago.

    Each is deleted at its provider first (Twilio deletes it; simulated calls have none; Exotel has no
    delete API, so its link is dropped and Exotel's own retention applies), then its link is cleared and
    ``recording_deleted_at`` set. A provider error leaves that call as it was, for the next run.
    Returns ``{"deleted": n, "failed": n}``.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.VOICE_RECORDING_RETENTION_DAYS)
    # A call with a recording but no end time (its last webhooks were lost) is aged from its creation.
    ended_before = Q(ended_at__lt=cutoff) | Q(ended_at__isnull=True, created_at__lt=cutoff)
    due = Call.objects.filter(ended_before, recording_deleted_at__isnull=True).exclude(recording_url="")
    providers: dict[str, CallProvider] = {}
    counts = {"deleted": 0, "failed": 0}
    for call in due.only("id", "provider", "recording_url").order_by("id").iterator(chunk_size=500):
        if call.provider in PROVIDERS:
            provider = providers.setdefault(call.provider, provider_get(call.provider))
            try:
                provider.delete_recording(call.recording_url)
            except ProviderError as exc:
                logger.warning("Recording of call %s not deleted at %s: %s", call.pk, call.provider, exc)
                counts["failed"] += 1
                continue
        if _recording_forget(call=call, now=now):
            counts["deleted"] += 1
    if counts["deleted"] or counts["failed"]:
        logger.info("Recordings purged: %(deleted)s deleted, %(failed)s left for the next run.", counts)
    return counts


@transaction.atomic
def _recording_forget(*, call: Call, now: datetime) -> bool:
    """Clear the link (unless it changed meanwhile) and note the deletion on the call's events."""
    changed = Call.objects.filter(pk=call.pk, recording_url=call.recording_url).update(
        recording_url="", recording_deleted_at=now, updated_at=now
    )
    if changed:
        call_record_event(
            call=call,
            kind=CallEventKind.RECORDING,
            status="deleted",
            detail={"retention_days": settings.VOICE_RECORDING_RETENTION_DAYS, "provider": call.provider},
        )
    return bool(changed)
