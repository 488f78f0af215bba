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
