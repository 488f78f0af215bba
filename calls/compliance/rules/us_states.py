"""The US states (and territories with US area codes): code, name, and the time zones they span.

The first zone is where most of the state lives: it is the zone dates are counted in. A customer's
state says where they are less precisely than their area code, so every zone of it counts.
"""

US_STATES: dict[str, tuple[str, tuple[str, ...]]] = {
    "AL": ("Alabama", ("America/Chicago",)),
    "AK": ("Alaska", ("America/Anchorage", "America/Adak")),
    "AZ": ("Arizona", ("America/Phoenix",)),
    "AR": ("Arkansas", ("America/Chicago",)),
    "CA": ("California", ("America/Los_Angeles",)),
    "CO": ("Colorado", ("America/Denver",)),
    "CT": ("Connecticut", ("America/New_York",)),
    "DE": ("Delaware", ("America/New_York",)),
    "DC": ("District of Columbia", ("America/New_York",)),
    "FL": ("Florida", ("America/New_York", "America/Chicago")),
    "GA": ("Georgia", ("America/New_York",)),
    "HI": ("Hawaii", ("Pacific/Honolulu",)),
    "ID": ("Idaho", ("America/Boise", "America/Los_Angeles")),
    "IL": ("Illinois", ("America/Chicago",)),
    "IN": ("Indiana", ("America/Indiana/Indianapolis", "America/Chicago")),
    "IA": ("Iowa", ("America/Chicago",)),
    "KS": ("Kansas", ("America/Chicago", "America/Denver")),
    "KY": ("Kentucky", ("America/New_York", "America/Chicago")),
    "LA": ("Louisiana", ("America/Chicago",)),
    "ME": ("Maine", ("America/New_York",)),
    "MD": ("Maryland", ("America/New_York",)),
    "MA": ("Massachusetts", ("America/New_York",)),
    "MI": ("Michigan", ("America/Detroit", "America/Menominee")),
    "MN": ("Minnesota", ("America/Chicago",)),
    "MS": ("Mississippi", ("America/Chicago",)),
    "MO": ("Missouri", ("America/Chicago",)),
    "MT": ("Montana", ("America/Denver",)),
    "NE": ("Nebraska", ("America/Chicago", "America/Denver")),
    "NV": ("Nevada", ("America/Los_Angeles", "America/Denver")),
    "NH": ("New Hampshire", ("America/New_York",)),
    "NJ": ("New Jersey", ("America/New_York",)),
    "NM": ("New Mexico", ("America/Denver",)),
    "NY": ("New York", ("America/New_York",)),
    "NC": ("North Carolina", ("America/New_York",)),
    "ND": ("North Dakota", ("America/Chicago", "America/Denver")),
    "OH": ("Ohio", ("America/New_York",)),
    "OK": ("Oklahoma", ("America/Chicago",)),
    "OR": ("Oregon", ("America/Los_Angeles", "America/Boise")),
    "PA": ("Pennsylvania", ("America/New_York",)),
    "RI": ("Rhode Island", ("America/New_York",)),
    "SC": ("South Carolina", ("America/New_York",)),
    "SD": ("South Dakota", ("America/Chicago", "America/Denver")),
    "TN": ("Tennessee", ("America/Chicago", "America/New_York")),
    "TX": ("Texas", ("America/Chicago", "America/Denver")),
    "UT": ("Utah", ("America/Denver",)),
    "VT": ("Vermont", ("America/New_York",)),
    "VA": ("Virginia", ("America/New_York",)),
    "WA": ("Washington", ("America/Los_Angeles",)),
    "WV": ("West Virginia", ("America/New_York",)),
    "WI": ("Wisconsin", ("America/Chicago",)),
    "WY": ("Wyoming", ("America/Denver",)),
    # Territories: their numbers have regions of their own in the numbering plan, but US law applies.
    "PR": ("Puerto Rico", ("America/Puerto_Rico",)),
    "GU": ("Guam", ("Pacific/Guam",)),
    "VI": ("U.S. Virgin Islands", ("America/St_Thomas",)),
    "AS": ("American Samoa", ("Pacific/Pago_Pago",)),
    "MP": ("Northern Mariana Islands", ("Pacific/Saipan",)),
}
US_TERRITORIES = frozenset({"PR", "GU", "VI", "AS", "MP"})

_BY_NAME = {name.casefold(): code for code, (name, _) in US_STATES.items()}
_BY_NAME.update({"washington dc": "DC", "washington d.c": "DC", "washington state": "WA", "virgin islands": "VI"})


def us_state_code(text: str) -> str:
    """ "MA", "ma", "Massachusetts", "Boston, MA" -> "MA"; anything else -> ""."""
    text = " ".join((text or "").split()).strip(" .")
    if not text:
        return ""
    if text.upper() in US_STATES:
        return text.upper()
    if text.casefold() in _BY_NAME:
        return _BY_NAME[text.casefold()]
    tail = text.rsplit(",", 1)[-1].strip(" .")
    if tail != text:
        return us_state_code(tail)
    return ""
