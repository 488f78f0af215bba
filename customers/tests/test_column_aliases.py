"""The headers Indian lenders' collection files use, and a person's overrides of what a header means."""

import pytest

from customers.headers import COLUMN_LABELS, HEADER_ALIASES, column_choices, header_key, header_map
from customers.resources import CustomerFileResource, MissingColumns


def test_no_header_key_belongs_to_two_columns():
    owners: dict[str, set[str]] = {}
    for column, aliases in HEADER_ALIASES.items():
        for alias in aliases:
            owners.setdefault(header_key(alias), set()).add(column)

    shared = {key: columns for key, columns in owners.items() if len(columns) > 1}
    assert shared == {}


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Cust Mob", "phone"),
        ("CUST_MOB_NO", "phone"),
        ("Customer Mobile", "phone"),
        ("Mobile No 1", "phone"),
        ("Mobile No. 2", "alternate_phone"),
        ("Agreement No", "loan_id"),
        ("Agreement Number", "loan_id"),
        ("AGREEMENTID", "loan_id"),
        ("Loan A/c No", "loan_id"),
        ("LAN No", "loan_id"),
        ("Account ID", "loan_id"),
        ("EMI Amt", "amount_due"),
        ("EMI Amount", "amount_due"),
        ("Total Due", "amount"),
        ("Overdue Amt", "amount"),
        ("TOS", "amount"),
        ("Total Outstanding", "amount"),
        ("O/S Amount", "amount"),
        ("POS", "principal"),
        ("Principal Outstanding", "principal"),
        ("Current DPD", "days_past_due"),
        ("EMI Date", "due_date"),
        ("Receipt No", "payment_reference"),
    ],
)
def test_collection_file_headers_name_their_columns(header, column):
    assert header_map([header]).columns == {column: 0}


@pytest.mark.parametrize("header", ["Bucket", "BKT", "Bom Bkt", "Branch", "Product", "Tenure", "Sr No"])
def test_a_bucket_and_other_columns_we_do_not_import_are_reported_unknown(header):
    mapping = header_map([header])

    assert mapping.columns == {}
    assert mapping.unknown == [header]


def test_every_column_has_a_label_for_the_mapping_form():
    assert list(COLUMN_LABELS) == list(HEADER_ALIASES) == list(CustomerFileResource.fields)
    assert column_choices()[0] == ("name", COLUMN_LABELS["name"])
    assert len({label for _, label in column_choices()}) == len(COLUMN_LABELS)


def test_the_missing_columns_message_gives_a_few_names_not_every_alias():
    message = MissingColumns(missing=["phone"], found=["Customer Name", "Contact 1"]).message

    assert "Rename a column to one of: phone, mobile, mobile no, mobile number" in message
    assert message.endswith(", ….")
    assert "registered mobile number" not in message


# --- overrides -----------------------------------------------------------------------------------------------


def test_an_override_names_a_header_no_alias_knows():
    mapping = header_map(["Customer Name", "Contact 1", "Branch"], overrides={"Contact 1": "phone"})

    assert mapping.columns == {"name": 0, "phone": 1}
    assert mapping.unknown == ["Branch"]
    assert mapping.missing_required == []
    assert mapping.kinds == {"Customer Name": "name", "Contact 1": "phone"}


def test_an_override_is_matched_like_an_alias_whatever_its_spelling():
    mapping = header_map(["Customer Name", "Contact 1"], overrides={"CONTACT-1": "phone"})

    assert mapping.columns == {"name": 0, "phone": 1}


def test_an_override_wins_over_the_aliases_and_the_aliased_header_is_a_duplicate():
    mapping = header_map(["Mobile", "Name", "Contact 1"], overrides={"Contact 1": "phone"})

    assert mapping.columns == {"phone": 2, "name": 1}
    assert mapping.duplicates == ["Mobile"]
    assert mapping.kinds["Mobile"] == "phone"  # still a phone column, for how its cells are kept


def test_an_override_can_move_a_header_away_from_its_alias():
    mapping = header_map(["Name", "Mobile", "Balance"], overrides={"Balance": "amount_due"})

    assert mapping.columns == {"name": 0, "phone": 1, "amount_due": 2}


def test_an_empty_override_ignores_the_column_which_is_then_not_unknown():
    mapping = header_map(["Name", "Mobile", "Branch", "State"], overrides={"Branch": "", "State": ""})

    assert mapping.columns == {"name": 0, "phone": 1}
    assert mapping.unknown == []
    assert mapping.ignored == ["Branch", "State"]
    assert "State" not in mapping.kinds


def test_an_override_to_a_column_we_do_not_have_falls_back_to_the_aliases():
    mapping = header_map(["Name", "Mobile", "Contact 1"], overrides={"Contact 1": "telephone", "Mobile": "cell"})

    assert mapping.columns == {"name": 0, "phone": 1}
    assert mapping.unknown == ["Contact 1"]


def test_without_overrides_nothing_changes():
    headers = ["Sr No", "Customer Name", "Mobile No.", "", "Branch", "Amount", "phone", "Outstanding", "  "]

    assert header_map(headers, overrides={}) == header_map(headers)
    assert header_map(headers).columns == {"name": 1, "phone": 2, "amount": 5}
