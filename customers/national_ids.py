"""National ids (Aadhaar, PAN…) are kept only as a keyed fingerprint and their last four characters."""

import hashlib
import hmac
import re
from dataclasses import dataclass

from django.conf import settings

_SEPARATORS = re.compile(r"[\s\-./]")


@dataclass(frozen=True)
class NationalIdFingerprint:
    fingerprint: str
    last4: str


def national_id_normalize(value: str) -> str:
    return _SEPARATORS.sub("", str(value)).upper()


def national_id_fingerprint(value: str) -> NationalIdFingerprint:
    normalized = national_id_normalize(value)
    digest = hmac.new(settings.NATIONAL_ID_HMAC_KEY.encode(), normalized.encode(), hashlib.sha256).hexdigest()
    return NationalIdFingerprint(fingerprint=digest, last4=normalized[-4:])


MASK = "*"


def national_id_mask(value: object) -> str:
    """What is kept of an id as written in a file: ``************9012``. Blank stays blank."""
    text = str(value or "").strip()
    if not text:
        return ""
    normalized = national_id_normalize(text)
    return MASK * max(len(normalized) - 4, 4) + normalized[-4:]


def national_id_is_masked(value: str) -> bool:
    """A masked id (from a failed-rows file being uploaded again) carries no id to fingerprint."""
    return MASK in value
