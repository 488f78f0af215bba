"""The one interface every telephony provider implements, and what it reports back."""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from django.http import HttpRequest


@dataclass(frozen=True)
class DialRequest:
    """Everything a provider needs to place one call."""

    call_id: int
    to: str  # E.164
    language: str  # "en", "hi", …
    status_callback_url: str  # where the provider posts status events
    voice_url: str  # where the provider fetches what to say (TwiML for Twilio; passthru for Exotel)


@dataclass(frozen=True)
class ProviderEvent:
    """A provider's webhook, in the product's words. Unknown or absent facts stay empty."""

    provider_call_id: str
    status: str = ""  # a ``calls.models.CallStatus`` value, or "" when the event carries none
    call_id: int | None = None  # our id, when the provider echoes it back
    answered_by: str = ""  # ``AnsweredBy`` value: "human", "machine" or ""
    duration_seconds: int | None = None
    recording_url: str = ""
    digits: str = ""  # keys pressed, for keypad events
    transcript: str = ""
    event_id: str = ""  # unique per event where the provider gives one: replays are ignored
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
    def parse_webhook(self, request: HttpRequest) -> ProviderEvent:
        """Read a verified webhook. Raises ``WebhookRejected`` when it cannot be read."""


class ProviderError(Exception):
    """The provider refused or failed to place, end or look up a call; the message is safe to show staff."""
