"""The one interface every telephony provider implements, and what it reports back."""

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from calls.conversation import Heard, Reply


@dataclass(frozen=True)
class DialRequest:
    """Everything a provider needs to place one call."""

    call_id: int
    to: str  # E.164
    language: str  # "en", "hi", …
    status_callback_url: str  # where the provider posts status events (and machine detection, recordings)
    voice_url: str  # where the provider fetches what to say (TwiML for Twilio; passthru for Exotel)
    record: bool = False  # the campaign records its calls (the notice is the bot's first words)


@dataclass(frozen=True)
class ProviderEvent:
    """A provider's webhook, in the product's words. Unknown or absent facts stay empty."""

    provider_call_id: str
    status: str = ""  # a ``calls.models.CallStatus`` value, or "" when the event carries none
    call_id: int | None = None  # our id, when the provider echoes it back
    answered_by: str = ""  # ``AnsweredBy`` value: "human", "machine" or ""
    duration_seconds: int | None = None
    recording_url: str = ""
    event_id: str = ""  # unique per event where the provider gives one: replays are ignored
    price: Decimal | None = None  # what the provider charged for the call, when it says (a positive amount)
    price_unit: str = ""  # its currency (ISO 4217)
    raw: dict = field(default_factory=dict, compare=False)


class WebhookRejected(Exception):
    """The webhook cannot be read (missing fields); answered with 400, nothing changes."""


class CallProvider(ABC):
    name: str

    @abstractmethod
    def place_call(self, request: DialRequest) -> str:
        """Start the call; return the provider's call id. Raises ``ProviderError`` when refused."""

    @abstractmethod
    def hangup(self, provider_call_id: str) -> None:
        """End a call in progress (or cancel one not yet answered)."""

    @abstractmethod
    def fetch_call(self, provider_call_id: str) -> ProviderEvent:
        """The call's current state as the provider reports it (used to reconcile calls whose webhooks were lost).

        The event's ``event_id`` is ``"{provider_call_id}:fetched:{provider_status}"``, so fetching the same
        state twice is a harmless replay. Raises ``ProviderError`` when the provider cannot be asked, or does
        not know the call."""

    @abstractmethod
    def verify_webhook(self, request: HttpRequest) -> bool:
        """True only when the request really comes from the provider (its signature checks out)."""

    @abstractmethod
    def webhook_fields(self, request: HttpRequest) -> dict:
        """The provider's fields of a verified request, as a plain dict: all the services ever see."""

    @abstractmethod
    def parse_webhook(self, fields: dict) -> ProviderEvent:
        """Read a webhook's fields. Raises ``WebhookRejected`` when they cannot be read."""

    def parse_answer(self, fields: dict) -> "Heard":
        """What the customer said or keyed in a conversation turn (speech and keypad alike)."""
        from calls.conversation import Heard

        try:
            confidence = float(fields["confidence"]) if fields.get("confidence") not in (None, "") else None
        except (TypeError, ValueError):
            confidence = None
        return Heard(
            text=str(fields.get("speech") or ""), digits=str(fields.get("digits") or ""), confidence=confidence
        )

    def speak_to_live_call(self, provider_call_id: str, reply: "Reply") -> None:  # noqa: B027 (optional)
        """Replace what a live call is doing with ``reply`` (a machine was detected mid-greeting).
        Providers that cannot do it leave the call to its flow."""

    def recording_fetch(self, recording_url: str) -> "RecordingAudio":
        """The recording's audio, fetched with the provider's credentials (which never leave the server).
        Raises ``ProviderError`` when the provider cannot be asked, or no longer has the recording."""
        raise ProviderError(f"Recordings of {self.name} calls cannot be played here.")

    def delete_recording(self, recording_url: str) -> None:  # noqa: B027 (optional)
        """Delete the recording at the provider; a recording already gone counts as deleted. Raises
        ``ProviderError`` when the provider cannot be asked. Providers that keep no recordings of their
        own, or cannot delete them, do nothing: dropping the link is all that can be done."""


class ProviderError(Exception):
    """The provider refused or failed to place, end or look up a call; the message is safe to show staff."""


@dataclass(frozen=True)
class RecordingAudio:
    """A recording as it streams from the provider: its chunks (a generator, closed when the response
    is), its content type and, when the provider says it, its size in bytes."""

    chunks: Iterator[bytes]
    content_type: str
    size: int | None = None


class RecordingNotFound(ProviderError):
    """The provider does not have the recording (deleted there, or never kept)."""


def provider_price(value) -> Decimal | None:
    """A provider's price as a positive amount (Twilio writes charges as negative numbers), or None."""
    if value in (None, ""):
        return None
    try:
        return abs(Decimal(str(value)))
    except InvalidOperation:
        return None
