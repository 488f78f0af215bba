"""Word lists: how callers say things in Devanagari, romanised Hindi and English, mapped to one spelling.

The rules downstream are written once, against canonical romanised words ("dunga", "nahi", "tarikh"),
so a Devanagari word, a Hinglish spelling variant and a recogniser's misspelling all become the same token
before any rule runs. Data only: adding a word is a one-line change in one of the lists, by kind:
``spellings`` (every word's spellings, contractions), ``number_words`` (numbers, ordinals, multipliers,
fractions) and ``calendar_words`` (months, weekdays).
"""

from .calendar_words import MONTHS, WEEKDAYS
from .number_words import (
    ENGLISH_NUMBERS,
    ENGLISH_ORDINALS,
    FRACTION_MODIFIERS,
    FRACTION_WORDS,
    HINDI_NUMBERS,
    MULTIPLIERS,
)
from .spellings import CONTRACTIONS, build_lexicon

__all__ = [
    "CONTRACTIONS",
    "ENGLISH_NUMBERS",
    "ENGLISH_ORDINALS",
    "FRACTION_MODIFIERS",
    "FRACTION_WORDS",
    "HINDI_NUMBERS",
    "MONTHS",
    "MULTIPLIERS",
    "WEEKDAYS",
    "build_lexicon",
]
