"""India: the Reserve Bank of India's rules for recovery calls by regulated entities and their agents.

RBI circular RBI/2022-23/108, DOR.ORG.REC.65/21.04.158/2022-23 of 12 August 2022, "Outsourcing of
Financial Services – Responsibilities of regulated entities employing Recovery Agents": no calls to the
borrower before 8:00 a.m. or after 7:00 p.m. for recovery of overdue loans, and no "persistently
calling the borrower". The circular sets no number; the product's caps give "persistently" one.
"""

from datetime import time

from .base import RuleSet

RBI_CIRCULAR = "RBI circular DOR.ORG.REC.65/21.04.158/2022-23 (12 Aug 2022), para 3"

INDIA = RuleSet(
    name="India (RBI)",
    window=(time(8, 0), time(19, 0)),
    max_attempts_per_day=3,
    max_attempts_per_7_days=10,
    max_attempts_per_debt_7_days=None,
    quiet_days_after_conversation=None,
    holidays=True,
    sources={
        "window": f"{RBI_CIRCULAR}: no calls before 8:00 a.m. or after 7:00 p.m.",
        "max_attempts_per_day": f"{RBI_CIRCULAR}: no persistent calling (product default: 3 a day)",
        "max_attempts_per_7_days": f"{RBI_CIRCULAR}: no persistent calling (product default: 10 in 7 days)",
        "holidays": "Product policy: no bot calls on public holidays (holidays package, India)",
    },
)
