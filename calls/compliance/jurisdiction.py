"""Where a customer is, for the law: the country of their phone, in the US their state, and their zones.

The state is the customer's own ``state`` when it names a US state, else the one of the area code.
Every zone the customer may be in counts (the number's and the state's): a call must be at a
convenient hour in all of them. The first zone is the one the customer's days are counted in.
"""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
import phonenumbers
from django.conf import settings
from phonenumbers import timezone as phone_timezones

from .rules import RuleSet, rules_for
from .rules.us_area_codes import STATE_OF_AREA_CODE
from .rules.us_states import US_STATES, US_TERRITORIES, us_state_code


@dataclass(frozen=True)
class Jurisdiction:
    country: str  # ISO 3166 code of the phone's country ("IN", "US", "GB"…)
    state: str  # the US state's code, "" elsewhere
    zones: tuple[ZoneInfo, ...]  # every zone the customer may be in; the first counts their days

    @property
    def code(self) -> str:
        return f"{self.country}-{self.state}" if self.state else self.country

    @property
    def home_zone(self) -> ZoneInfo:
        return self.zones[0]

    @property
    def rules(self) -> RuleSet:
        return rules_for(self.country, self.state)

    def holiday(self, day: date) -> str:
        """The name of the public holiday ``day`` is here, or ""."""
        calendar = _holiday_calendar(self.country, self.state)
        return (calendar.get(day) or "") if calendar is not None else ""


@lru_cache(maxsize=64)
def _holiday_calendar(country: str, state: str) -> holidays.HolidayBase | None:
    """The ``holidays`` package's calendar (national, and the state's in the US); None where it has none."""
    try:
        return holidays.country_holidays(country, subdiv=state or None)
    except NotImplementedError:
        try:
            return holidays.country_holidays(country)
        except NotImplementedError:
            return None


# Old names the phone metadata still uses, and the names people know.
_ZONE_NAMES = {"Asia/Calcutta": "Asia/Kolkata", "Asia/Katmandu": "Asia/Kathmandu", "Asia/Saigon": "Asia/Ho_Chi_Minh"}


def _zones(names) -> tuple[ZoneInfo, ...]:
    return tuple(ZoneInfo(_ZONE_NAMES.get(name, name)) for name in names if name and name != "Etc/Unknown")


_US_MAINLAND_ZONES = _zones(("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"))


@lru_cache(maxsize=200_000)
def jurisdiction_for(phone: str, state: str = "") -> Jurisdiction:
    """The jurisdiction of a customer with this E.164 ``phone`` and ``state`` (as the lender wrote it)."""
    try:
        number = phonenumbers.parse(phone)
    except phonenumbers.NumberParseException:
        number = None
    country = None
    if number is not None:
        # A number the numbering plan does not know still names its country (+1: the United States).
        country = phonenumbers.region_code_for_number(number) or phonenumbers.region_code_for_country_code(
            number.country_code
        )
    country = country if country and country != phonenumbers.UNKNOWN_REGION else settings.PHONE_DEFAULT_REGION
    number_zones = _zones(phone_timezones.time_zones_for_number(number)) if number else ()
    us_state = ""
    state_zones: tuple[ZoneInfo, ...] = ()
    if country in US_TERRITORIES:
        country, us_state = "US", country
    if country == "US":
        given = us_state_code(state)
        if given:
            us_state, state_zones = given, _zones(US_STATES[given][1])
        elif not us_state and number is not None:
            us_state = STATE_OF_AREA_CODE.get(number.national_number // 10_000_000, "")
    # A number that could be anywhere in its country (a toll-free one) tells nothing: use the state's zones.
    if state_zones and len(number_zones) > len(state_zones) + 2:
        number_zones = ()
    if country == "US" and not state_zones and not number_zones:
        # Nothing places the customer: they may be in any zone of the country, and each must be in hours.
        state_zones = _zones(US_STATES[us_state][1]) if us_state else _US_MAINLAND_ZONES
    zones = tuple(dict.fromkeys((*state_zones, *number_zones)))
    return Jurisdiction(country=country, state=us_state, zones=zones or (ZoneInfo(settings.TIME_ZONE),))
