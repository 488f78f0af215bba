"""The one interface every SMS provider implements, and what it reports back.

Providers take plain values: the status-callback service hands them the request's path (with its
query), the raw body and the headers (a dict with lower-case names), never a request.
"""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class SmsRequest:
    to: str  # E.164
    body: str
    status_callback_url: str  # where the provider posts delivery reports (the provider adds its token)


@dataclass(frozen=True)
class SentSms:
    provider_message_id: str
    status: str  # a ``payments.models.SmsStatus`` value


@dataclass(frozen=True)
class SmsStatusNotice:
    """A delivery report, read: the message and its status in the product's words."""

    provider_message_id: str
    status: str  # a ``SmsStatus`` value, or "" when the report carries none the product knows
    error: str = ""  # why it was not delivered, for a clerk


class SmsRejected(Exception):
    """The delivery report cannot be read: answered with 400, nothing changes."""


class SmsProviderError(Exception):
    """The provider refused or failed to take the message; the message is safe to show staff."""


class SmsProvider(ABC):
    name: str

    @abstractmethod
    def send(self, request: SmsRequest) -> SentSms:
        """Hand the message to the provider. Raises ``SmsProviderError`` when refused or unreachable."""

    @abstractmethod
    def verify_callback(self, *, path: str, body: bytes, headers: Mapping[str, str]) -> bool:
        """True only when the delivery report really comes from the provider."""

    @abstractmethod
    def parse_callback(self, body: bytes, headers: Mapping[str, str]) -> SmsStatusNotice:
        """Read a verified delivery report. Raises ``SmsRejected`` when it cannot be read."""

    def message_queued(self, provider_message_id: str) -> None:  # noqa: B027 (optional)
        """Called once the message is recorded here. Real providers report by themselves; the simulated
        one queues its delivery report."""
