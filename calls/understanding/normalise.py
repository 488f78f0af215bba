"""Turn a recogniser's text into canonical tokens, so every later rule sees one spelling per word.

Devanagari and romanised Hindi both become romanised canonical words ("कल", "kl" -> "kal"), Devanagari digits
become ASCII, contractions are expanded ("won't" -> "will not"), and an unknown word close to a known keyword
("payement", "transfered") is replaced by it with ``rapidfuzz``. Numbers keep their digits (grouping commas
dropped); slash dates and clock times stay one token each for ``dates`` and ``times`` to read.
"""

import re
import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz, process

from calls.understanding import lexicon

_NUKTA = "\u093c"
_CHANDRABINDU = "\u0901"
_ANUSVARA = "\u0902"
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")

_TOKEN = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}"  # ISO date
    r"|\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{1,2}-\d{1,2}(?:-\d{2,4})?|\d{1,2}\.\d{1,2}\.\d{2,4}"  # day-first date
    r"|\d{1,2}:\d{2}"  # clock time
    r"|\d[\d,]*(?:\.\d+)?(?:k\b|(?:st|nd|rd|th)\b)?"  # number, maybe "12.5k" or "5th"
    r"|[a-z]+(?:'[a-z]+)?"
    r"|[\u0900-\u0963\u0966-\u097f]+"
)

# Words the rules look for that are plain English: kept as they are, and targets for fuzzy correction.
ENGLISH_KEYWORDS = frozenset(
    [
        "pay",
        "paying",
        "payment",
        "paid",
        "already",
        "will",
        "shall",
        "going",
        "tomorrow",
        "today",
        "yesterday",
        "week",
        "month",
        "next",
        "this",
        "coming",
        "last",
        "within",
        "end",
        "salary",
        "wrong",
        "number",
        "person",
        "named",
        "call",
        "calling",
        "calls",
        "later",
        "back",
        "busy",
        "meeting",
        "driving",
        "evening",
        "morning",
        "afternoon",
        "night",
        "again",
        "stop",
        "never",
        "disturb",
        "harass",
        "harassing",
        "harassment",
        "remove",
        "agent",
        "human",
        "someone",
        "somebody",
        "representative",
        "executive",
        "officer",
        "manager",
        "supervisor",
        "customer",
        "care",
        "service",
        "operator",
        "transfer",
        "connect",
        "speak",
        "talk",
        "real",
        "robot",
        "machine",
        "loan",
        "amount",
        "dispute",
        "owe",
        "borrowed",
        "took",
        "mine",
        "fraud",
        "charges",
        "incorrect",
        "correct",
        "right",
        "sure",
        "yes",
        "yeah",
        "yep",
        "yup",
        "okay",
        "no",
        "nope",
        "not",
        "available",
        "here",
        "home",
        "speaking",
        "lost",
        "job",
        "money",
        "hospital",
        "medical",
        "emergency",
        "unemployed",
        "afford",
        "able",
        "unable",
        "cannot",
        "sorry",
        "hello",
        "thousand",
        "hundred",
        "lakh",
        "crore",
        "million",
        "rupees",
        "friday",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "clear",
        "cleared",
        "transferred",
        "deposited",
        "deposit",
        "sent",
        "send",
        "done",
        "settle",
        "settled",
        "closed",
        "receipt",
        "please",
        "definitely",
        "absolutely",
        "exactly",
        "course",
        "confirm",
        "confirmed",
        "fine",
        "anymore",
        "out",
    ]
)


def _fold_devanagari(text: str) -> str:
    """One spelling per Devanagari word: nukta dropped, chandrabindu written as anusvara, digits in ASCII."""
    return text.replace(_NUKTA, "").replace(_CHANDRABINDU, _ANUSVARA).translate(_DEVANAGARI_DIGITS)


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], tuple[str, ...], dict[str, int]]:
    """Lexicon, fuzzy vocabulary and number words, built once per process on first use."""
    words: dict[str, str] = {}
    for spelling, canonical in lexicon.build_lexicon().items():
        words[_fold_devanagari(spelling)] = canonical
    numbers: dict[str, int] = {}
    for value, spellings in enumerate(lexicon.HINDI_NUMBERS):
        for spelling in spellings:
            if "_" not in spelling:
                numbers[_fold_devanagari(spelling)] = value
    numbers.update(lexicon.ENGLISH_NUMBERS)
    for word in numbers:
        words.setdefault(word, word)
    for word in ENGLISH_KEYWORDS:
        words.setdefault(word, word)
    for word in (*lexicon.MULTIPLIERS, *lexicon.ENGLISH_ORDINALS):
        words.setdefault(word, word)
    vocabulary = tuple(sorted(word for word in words if word.isascii() and len(word) >= 4))
    return words, vocabulary, numbers


def number_words() -> dict[str, int]:
    """Hindi (romanised, Devanagari) and English number words 0..99 -> value."""
    return _tables()[2]


@lru_cache(maxsize=4096)
def canonical_word(word: str) -> str:
    words, vocabulary, _ = _tables()
    known = words.get(word)
    if known is not None:
        return known
    if len(word) < 5 or not word.isascii():
        return word
    # Recognisers misspell keywords ("payement", "tommorow"); a close match is read as the keyword.
    match = process.extractOne(word, vocabulary, scorer=fuzz.ratio, score_cutoff=86)
    if match is None:
        return word
    return words[match[0]]


def _expand_contractions(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        return lexicon.CONTRACTIONS.get(word, word)

    return re.sub(r"[a-z]+(?:'[a-z]+)?", replace, text)


def tokens(text: str) -> list[str]:
    """Canonical tokens of an utterance, in order."""
    text = unicodedata.normalize("NFC", text or "").lower()
    text = _fold_devanagari(text).replace("\u2019", "'").replace("\u2018", "'").replace("।", " ")
    text = text.replace("₹", " rupaye ")
    text = re.sub(r"\brs\.", " rupaye ", text)
    text = _expand_contractions(text)
    result: list[str] = []
    for raw in _TOKEN.findall(text):
        if raw[0].isdigit():
            result.extend(_number_token(raw))
        else:
            result.extend(canonical_word(raw.replace("'", "")).split())
    return result


def _number_token(raw: str) -> list[str]:
    if "/" in raw or ":" in raw or raw.count("-") or raw.count(".") == 2:
        return [raw]
    suffix = ""
    if raw.endswith("k"):
        raw, suffix = raw[:-1], "k"
    elif raw[-2:] in ("st", "nd", "rd", "th"):
        raw, suffix = raw[:-2], "th"
    raw = raw.replace(",", "").rstrip(".")
    return [raw, suffix] if suffix else [raw]
