"""The customer file's header row: its canonical columns, the headers lenders give them, and how a file's
headers are matched to them (a person's choices first).

Every lender names columns their own way — ``Mobile No.``, ``LAN``, ``Cust Mob``, ``EMI Amt`` — so the names are
listed here once, for uploads, their column mapping and profiles, and any later import.
"""

import re
from dataclasses import dataclass, field

REQUIRED_COLUMNS = ("name", "phone")

# Headers lenders' files give each column, beyond the canonical name. Collection, overdue and EMI-bounce files
# of Indian banks and NBFCs add their own shorthand (``Cust Mob``, ``Agreement No``, ``EMI Amt``, ``POS``,
# ``TOS``). A header belongs to one column only (tests check it); a header that could mean two things stays
# out, for a person to map at the preview. A bucket (``Bucket``, ``BKT``: a DPD band) is not imported: the
# days past due it is derived from are.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "customer name",
        "borrower name",
        "full name",
        "customer",
        "borrower",
        "cust name",
        "customer full name",
        "applicant name",
        "client name",
        "account holder name",
        "name of borrower",
        "name of customer",
    ),
    "phone": (
        "phone",
        "mobile",
        "mobile no",
        "mobile number",
        "contact number",
        "contact no",
        "phone number",
        "phone no",
        "primary phone",
        "cell",
        # Collection and overdue files: the customer's own (first) mobile.
        "cust mob",
        "cust mob no",
        "cust mobile",
        "cust mobile no",
        "customer mobile",
        "customer mobile no",
        "customer mobile number",
        "customer phone",
        "customer contact no",
        "borrower mobile",
        "borrower mobile no",
        "registered mobile",
        "registered mobile no",
        "registered mobile number",
        "mob",
        "mob no",
        "mobile no 1",
        "mobile 1",
        "phone 1",
        "phone no 1",
        "contact no 1",
        "primary mobile",
        "primary mobile no",
    ),
    "alternate_phone": (
        "alternate phone",
        "alternate mobile",
        "alt phone",
        "alt mobile",
        "secondary phone",
        "other phone",
        "alternate number",
        "alternate mobile no",
        "alternate mobile number",
        "alternate contact no",
        "alt mob",
        "alt mobile no",
        "mobile no 2",
        "mobile 2",
        "phone 2",
        "phone no 2",
        "contact no 2",
        "secondary mobile",
        "other mobile",
    ),
    "loan_id": (
        "loan id",
        "loan account no",
        "loan account number",
        "loan no",
        "loan number",
        "lan",
        "account number",
        "account no",
        # Vehicle, two-wheeler and consumer-durable lenders call the loan an agreement (a hire-purchase contract).
        "agreement no",
        "agreement number",
        "agreement id",
        "agmt no",
        "loan a/c no",
        "loan a/c number",
        "loan account",
        "loan account id",
        "lan no",
        "lan number",
        "account id",
        "contract no",
        "contract number",
    ),
    # What the loan still owes: the total outstanding (principal, interest and charges), or what is overdue
    # where that is all the file gives.
    "amount": (
        "amount",
        "outstanding",
        "outstanding amount",
        "total due",
        "overdue amount",
        "tos",
        "total outstanding",
        "total outstanding amount",
        "total os",
        "outstanding amt",
        "os amount",
        "os amt",
        "total dues",
        "total due amount",
        "overdue amt",
        "total overdue",
        "total overdue amount",
        "balance outstanding",
        "outstanding balance",
        "net outstanding",
        "balance",
    ),
    # The instalment due now (an EMI); the outstanding amount is what the whole loan still owes.
    "amount_due": (
        "amount due",
        "emi",
        "emi amount",
        "instalment",
        "installment",
        "instalment amount",
        "due amount",
        "amount due now",
        "min due",
        "emi amt",
        "emi due",
        "emi due amount",
        "installment amount",
        "instalment amt",
        "installment amt",
        "inst amt",
        "due amt",
        "current due",
        "current emi",
        "monthly emi",
        "demand amount",
    ),
    # The loan's principal as the file gives it: the amount lent, or the principal still outstanding (POS).
    "principal": (
        "principal",
        "principal amount",
        "loan amount",
        "sanctioned amount",
        "pos",
        "principal outstanding",
        "principal os",
        "outstanding principal",
        "principal balance",
        "loan amt",
        "disbursed amount",
        "sanction amount",
    ),
    "due_date": (
        "due date",
        "emi due date",
        "next due date",
        "payment due date",
        "emi date",
        "instalment due date",
        "installment due date",
        "due dt",
        "emi due dt",
        "next emi date",
        "next emi due date",
    ),
    "days_past_due": (
        "dpd",
        "days past due",
        "overdue days",
        "current dpd",
        "dpd days",
        "days overdue",
        "no of days overdue",
        "days in arrears",
        "days in arrear",
        "ageing days",
        "aging days",
    ),
    "state": ("state", "region", "state name", "customer state"),
    "language": ("language", "preferred language", "lang", "preferred lang", "language preference"),
    "national_id": (
        "national id",
        "aadhaar",
        "aadhar",
        "aadhaar number",
        "pan",
        "pan number",
        "kyc id",
        "aadhaar no",
        "aadhar no",
        "aadhar number",
        "aadhaar card no",
        "pan no",
        "pan card no",
        "pan card number",
    ),
    "email": ("email", "email id", "email address", "e-mail", "mail id", "customer email", "cust email"),
    # A payment the lender's file reports (usually the loan's last one).
    "payment_reference": (
        "payment reference",
        "last payment reference",
        "utr",
        "transaction id",
        "utr no",
        "utr number",
        "receipt no",
        "receipt number",
        "transaction reference",
        "txn id",
    ),
    "payment_amount": (
        "payment amount",
        "last payment amount",
        "amount paid",
        "paid amount",
        "last paid amount",
        "amount received",
        "collected amount",
    ),
    "payment_date": (
        "payment date",
        "last payment date",
        "paid on",
        "paid date",
        "last paid date",
        "receipt date",
        "date of payment",
    ),
}

# Each column as a person choosing it from a list reads it (the column mapping at a preview, profiles).
COLUMN_LABELS: dict[str, str] = {
    "name": "Customer name",
    "phone": "Mobile (the customer's phone)",
    "alternate_phone": "Alternate phone(s)",
    "loan_id": "Loan id (loan account / agreement number)",
    "amount": "Outstanding amount (total the loan still owes)",
    "amount_due": "Amount due now (EMI)",
    "principal": "Principal (loan amount or principal outstanding)",
    "due_date": "Due date",
    "days_past_due": "Days past due (DPD)",
    "state": "State",
    "language": "Preferred language",
    "national_id": "National id (Aadhaar, PAN)",
    "email": "Email",
    "payment_reference": "Payment reference (UTR, receipt no)",
    "payment_amount": "Payment amount",
    "payment_date": "Payment date",
}


def column_choices() -> list[tuple[str, str]]:
    """The columns a file's header may be mapped to, as ``(column, label)`` in declaration order."""
    return [(column, COLUMN_LABELS[column]) for column in HEADER_ALIASES]


# Punctuation lenders sprinkle into headers (``Mobile No.``, ``LOAN_ID``, ``Phone*``); it and all spaces are
# ignored, so ``MobileNo`` and ``mobile  no`` match too.
_HEADER_PUNCTUATION = re.compile(r"[._\-#:/()*\s]+")


def header_key(header: str) -> str:
    """A header as aliases are matched: case, spaces and that punctuation ignored (``Mobile No.`` -> ``mobileno``)."""
    return _HEADER_PUNCTUATION.sub("", header.replace("\ufeff", "").casefold())


_COLUMN_BY_HEADER_KEY: dict[str, str] = {
    header_key(alias): column for column, aliases in HEADER_ALIASES.items() for alias in aliases
}


def header_column(header: str) -> str | None:
    """The canonical column a header names (``Aadhaar`` -> ``national_id``), even when another header of the
    file names it too; None for a header that matches nothing."""
    return _COLUMN_BY_HEADER_KEY.get(header_key(header))


@dataclass
class HeaderMapping:
    """How a file's header row maps to the canonical columns.

    ``kinds`` gives every header the column it names (overrides included), even a duplicate that is not read:
    what a header holds decides how its cells are kept in the entries (a national id is masked, a loan id is
    not). ``ignored`` are the headers an override set aside; they are neither read nor reported unknown.
    """

    columns: dict[str, int] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)


def header_overrides_by_key(overrides: dict[str, str] | None) -> dict[str, str]:
    """``overrides`` (file header as written -> column, or "" to ignore it) keyed like the aliases.

    Of two overrides for one header written two ways (``Contact 1``, ``contact-1``) the later wins. A column
    that is not canonical (a profile saved before a column was renamed) is left out: its header is matched
    by the aliases as if there were no override.
    """
    by_key: dict[str, str] = {}
    for header, column in (overrides or {}).items():
        key = header_key(str(header))
        if key and (column == "" or column in HEADER_ALIASES):
            by_key[key] = column
    return by_key


def header_map(headers: list[str], *, overrides: dict[str, str] | None = None) -> HeaderMapping:
    """Match each header to a canonical column by its aliases, ignoring case, spaces and punctuation.

    ``overrides`` maps a file header (as written; matched the same way) to a column, or to "" to ignore that
    header. An override wins over the aliases: a header an override maps to a column takes it, and a header
    the aliases match to the same column is then reported as a duplicate.
    """
    mapping = HeaderMapping()
    by_key = header_overrides_by_key(overrides)
    keys = [header_key(header) for header in headers]
    for index, (header, key) in enumerate(zip(headers, keys, strict=True)):
        column = by_key.get(key)
        if column:
            mapping.kinds[header] = column
            if column in mapping.columns:
                mapping.duplicates.append(header)
            else:
                mapping.columns[column] = index
    for index, (header, key) in enumerate(zip(headers, keys, strict=True)):
        if not key or by_key.get(key):
            continue
        if key in by_key:  # mapped to "": set aside on purpose
            mapping.ignored.append(header)
            continue
        column = _COLUMN_BY_HEADER_KEY.get(key)
        if column is None:
            mapping.unknown.append(header)
            continue
        mapping.kinds[header] = column
        if column in mapping.columns:
            mapping.duplicates.append(header)
        else:
            mapping.columns[column] = index
    mapping.missing_required = [column for column in REQUIRED_COLUMNS if column not in mapping.columns]
    return mapping
