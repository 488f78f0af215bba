"""One name per state: ``KA``, ``karnataka`` and ``Karnataka`` are one state, stored as ``Karnataka``.

Lenders' files write a customer's state as a code, a name, an old name (``Orissa``) or a spelling of
their own (``Tamilnadu``, ``J&K``). Stored as written, one state would be several filter values and a
campaign for "Karnataka" would miss the borrowers written ``KA``. Every write of a customer's state
(``merge.customer_given``) and a campaign's states pass through here.

Names and spellings are recognised whatever the country. Two-letter codes are not: ``GA`` is Goa in
India and Georgia in the United States, so a code is read in the country of the customer's phone.
Text that names no state is kept as written (spaces tidied): nothing a lender wrote is thrown away.
"""

import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# Code: (name, other spellings). Codes are the current ISO 3166-2:IN ones; old codes and the vehicle
# registration codes lenders also use are among the spellings.
INDIAN_STATES: dict[str, tuple[str, tuple[str, ...]]] = {
    "AN": ("Andaman and Nicobar Islands", ("Andaman and Nicobar", "Andaman & Nicobar", "A&N Islands", "A&N")),
    "AP": ("Andhra Pradesh", ("Andhra",)),
    "AR": ("Arunachal Pradesh", ()),
    "AS": ("Assam", ()),
    "BR": ("Bihar", ()),
    "CG": ("Chhattisgarh", ("CT", "Chattisgarh", "Chhatisgarh")),
    "CH": ("Chandigarh", ()),
    "DH": (
        "Dadra and Nagar Haveli and Daman and Diu",
        ("DN", "DD", "Dadra and Nagar Haveli", "Daman and Diu", "Dadra & Nagar Haveli", "Daman & Diu"),
    ),
    "DL": ("Delhi", ("New Delhi", "NCT of Delhi", "National Capital Territory of Delhi", "NCT")),
    "GA": ("Goa", ()),
    "GJ": ("Gujarat", ()),
    "HP": ("Himachal Pradesh", ()),
    "HR": ("Haryana", ()),
    "JH": ("Jharkhand", ()),
    "JK": ("Jammu and Kashmir", ("J&K", "Jammu & Kashmir", "Jammu Kashmir")),
    "KA": ("Karnataka", ()),
    "KL": ("Kerala", ()),
    "LA": ("Ladakh", ()),
    "LD": ("Lakshadweep", ()),
    "MH": ("Maharashtra", ("Maharastra",)),
    "ML": ("Meghalaya", ()),
    "MN": ("Manipur", ()),
    "MP": ("Madhya Pradesh", ()),
    "MZ": ("Mizoram", ()),
    "NL": ("Nagaland", ()),
    "OD": ("Odisha", ("OR", "Orissa")),
    "PB": ("Punjab", ()),
    "PY": ("Puducherry", ("Pondicherry", "Pondy")),
    "RJ": ("Rajasthan", ()),
    "SK": ("Sikkim", ()),
    "TN": ("Tamil Nadu", ()),
    "TR": ("Tripura", ()),
    "TS": ("Telangana", ("TG",)),
    "UK": ("Uttarakhand", ("UT", "Uttaranchal")),
    "UP": ("Uttar Pradesh", ()),
    "WB": ("West Bengal", ("Bengal",)),
}

# The US states, the District of Columbia and the territories with US area codes. The names are the ones
# the compliance guard reads a customer's US state from (a test holds the two together).
US_STATES: dict[str, tuple[str, tuple[str, ...]]] = {
    "AL": ("Alabama", ()),
    "AK": ("Alaska", ()),
    "AZ": ("Arizona", ()),
    "AR": ("Arkansas", ()),
    "CA": ("California", ()),
    "CO": ("Colorado", ()),
    "CT": ("Connecticut", ()),
    "DE": ("Delaware", ()),
    "DC": ("District of Columbia", ("Washington DC", "Washington D.C.")),
    "FL": ("Florida", ()),
    "GA": ("Georgia", ()),
    "HI": ("Hawaii", ()),
    "ID": ("Idaho", ()),
    "IL": ("Illinois", ()),
    "IN": ("Indiana", ()),
    "IA": ("Iowa", ()),
    "KS": ("Kansas", ()),
    "KY": ("Kentucky", ()),
    "LA": ("Louisiana", ()),
    "ME": ("Maine", ()),
    "MD": ("Maryland", ()),
    "MA": ("Massachusetts", ()),
    "MI": ("Michigan", ()),
    "MN": ("Minnesota", ()),
    "MS": ("Mississippi", ()),
    "MO": ("Missouri", ()),
    "MT": ("Montana", ()),
    "NE": ("Nebraska", ()),
    "NV": ("Nevada", ()),
    "NH": ("New Hampshire", ()),
    "NJ": ("New Jersey", ()),
    "NM": ("New Mexico", ()),
    "NY": ("New York", ()),
    "NC": ("North Carolina", ()),
    "ND": ("North Dakota", ()),
    "OH": ("Ohio", ()),
    "OK": ("Oklahoma", ()),
    "OR": ("Oregon", ()),
    "PA": ("Pennsylvania", ()),
    "RI": ("Rhode Island", ()),
    "SC": ("South Carolina", ()),
    "SD": ("South Dakota", ()),
    "TN": ("Tennessee", ()),
    "TX": ("Texas", ()),
    "UT": ("Utah", ()),
    "VT": ("Vermont", ()),
    "VA": ("Virginia", ()),
    "WA": ("Washington", ("Washington State",)),
    "WV": ("West Virginia", ()),
    "WI": ("Wisconsin", ()),
    "WY": ("Wyoming", ()),
    "PR": ("Puerto Rico", ()),
    "GU": ("Guam", ()),
    "VI": ("U.S. Virgin Islands", ("US Virgin Islands", "Virgin Islands")),
    "AS": ("American Samoa", ()),
    "MP": ("Northern Mariana Islands", ()),
}

# Phone countries whose customers' codes are read as US codes: the US, and its territories with their own
# regions in the numbering plan.
_US_PHONE_COUNTRIES = frozenset({"US", "PR", "GU", "VI", "AS", "MP"})
_TABLES = {"IN": INDIAN_STATES, "US": US_STATES}


def _key(text: str) -> str:
    """What two spellings of one name share: no accents, case, spaces, dots or hyphens; ``&`` read as "and"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.casefold().replace("&", "and") if ch.isalnum())


def _by_spelling() -> dict[str, str]:
    names: dict[str, str] = {}
    for table in _TABLES.values():
        for name, spellings in table.values():
            names[_key(name)] = name
            names.update({_key(spelling): name for spelling in spellings if len(_key(spelling)) > 2})
    return names


def _by_code(table: dict[str, tuple[str, tuple[str, ...]]]) -> dict[str, str]:
    """Codes, current and old (``OR`` for Odisha), to names."""
    codes = {}
    for code, (name, spellings) in table.items():
        codes[_key(code)] = name
        codes.update({_key(spelling): name for spelling in spellings if len(_key(spelling)) == 2})
    return codes


_NAMES = _by_spelling()
_CODES = {country: _by_code(table) for country, table in _TABLES.items()}


def _table_country(phone_country: str) -> str:
    return "US" if phone_country in _US_PHONE_COUNTRIES else phone_country


def _recognised(text: str, country: str) -> str | None:
    """The state's name when ``text`` names one (a code read in ``country``), else None."""
    found = _lookup(text, country)
    if found is None and "," in text:
        # "Pune, MH", "Boston, MA": the last part is the state.
        found = _lookup(text.rsplit(",", 1)[1], country)
    return found


def _lookup(text: str, country: str) -> str | None:
    key = _key(text)
    if len(key) == 2:
        return _CODES.get(_table_country(country), {}).get(key)
    return _NAMES.get(key)


@lru_cache(maxsize=4096)
def state_normalize(text: str, *, country: str = "IN") -> str:
    """The one name of the state ``text`` names, a code read in ``country`` (the customer's phone's); else
    ``text`` with its spaces tidied.

    ``state_normalize("KA")`` → ``"Karnataka"``; ``state_normalize("ga", country="US")`` → ``"Georgia"``;
    ``state_normalize("Pune, MH")`` → ``"Maharashtra"``; ``state_normalize("Narnia ")`` → ``"Narnia"``.
    """
    tidy = " ".join(str(text).split())
    if not tidy:
        return ""
    return _recognised(tidy, country) or tidy


def state_meanings(text: str, *, countries: Iterable[str]) -> list[str]:
    """Every state ``text`` may name in any of ``countries`` (a campaign's): one name for a name, or for a code
    of one of them; two for a code of two (``GA``: Goa and Georgia); ``[text]`` tidied when it names none."""
    tidy = " ".join(str(text).split())
    found = (_recognised(tidy, country) for country in sorted(set(countries)))
    return list(dict.fromkeys(name for name in found if name)) or ([tidy] if tidy else [])
