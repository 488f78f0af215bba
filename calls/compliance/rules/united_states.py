"""United States: the FDCPA and Regulation F, and the state overlays that are stricter.

- FDCPA §805(a)(1) (15 U.S.C. §1692c(a)(1)), Regulation F §1006.6(b)(1)(i): without knowledge to the
  contrary, the convenient time is after 8:00 a.m. and before 9:00 p.m. at the consumer's location;
  where the location is uncertain, the time must be convenient in every zone it may be in.
- Regulation F §1006.14(b)(2)(i): no more than seven calls about a particular debt within seven
  consecutive days; (ii): none within seven consecutive days after a telephone conversation about that
  debt, the day of the conversation being the first of the seven. A conversation about several debts
  counts for each of them (CFPB Debt Collection Rule FAQs, Telephone Call Frequency: Presumptions, Q6).
- Massachusetts, 940 CMR 7.04(1)(f) (creditors) and 209 CMR 18.16(1)(d) (debt collectors): no more than
  two communications by telephone in each seven-day period, for each debt.
"""

from datetime import time

from .base import RuleSet

FDCPA_HOURS = "FDCPA §805(a)(1), 15 U.S.C. §1692c(a)(1); Reg F §1006.6(b)(1)(i)"
REG_F_FREQUENCY = "Reg F §1006.14(b)(2)(i)"
REG_F_CONVERSATION = "Reg F §1006.14(b)(2)(ii)"

UNITED_STATES = RuleSet(
    name="United States (FDCPA, Reg F)",
    window=(time(8, 0), time(21, 0)),
    max_attempts_per_day=3,
    max_attempts_per_7_days=10,
    max_attempts_per_debt_7_days=7,
    quiet_days_after_conversation=7,
    holidays=True,
    sources={
        "window": f"{FDCPA_HOURS}: after 8:00 a.m. and before 9:00 p.m., in every zone of the number",
        "max_attempts_per_debt_7_days": f"{REG_F_FREQUENCY}: at most 7 calls about a debt in 7 consecutive days",
        "quiet_days_after_conversation": f"{REG_F_CONVERSATION}: none for 7 days after a conversation about it",
        "max_attempts_per_day": "Product policy, as in India: 3 a day per customer",
        "max_attempts_per_7_days": "Product policy, as in India: 10 in 7 days per customer",
        "holidays": "Product policy: no bot calls on public holidays (holidays package, US and the state)",
    },
)

# State -> the rules it makes stricter than federal law, with their source. Each is applied with
# ``RuleSet.narrowed``, so an overlay can never loosen the federal rules either.
STATE_OVERLAYS: dict[str, tuple[dict, str]] = {
    "MA": (
        {"max_attempts_per_debt_7_days": 2},
        "940 CMR 7.04(1)(f); 209 CMR 18.16(1)(d): at most 2 telephone communications per debt in each 7 days",
    ),
}
