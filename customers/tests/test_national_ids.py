"""Recognising national ids by their shape (Verhoeff for Aadhaar, the holder type for PAN), and widgets whose
messages never quote one."""

import pytest

from customers.headers import header_column, header_map
from customers.national_ids import (
    national_id_in,
    national_id_redact,
    national_ids_masked,
    verhoeff_check_digit,
    verhoeff_is_valid,
)
from customers.resources import resource_clean_row

# --- Verhoeff ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "check_digit"),
    [
        # Rosetta Code, "Verhoeff algorithm" (the task's own vectors; 236 is also Wikipedia's worked example).
        ("236", "3"),
        ("12345", "1"),
        ("123456789012", "0"),
        # python-stdnum's tests/test_verhoeff.doctest.
        ("654", "8"),
        ("1428570", "8"),
        ("398438246238642378648236487236482734", "7"),
    ],
)
def test_verhoeff_check_digits_match_the_published_vectors(digits, check_digit):
    assert verhoeff_check_digit(digits) == check_digit
    assert verhoeff_is_valid(digits + check_digit)


@pytest.mark.parametrize("number", ["654", "2364", "1234567890121", "398438246238642378648236487236482734"])
def test_numbers_without_their_check_digit_are_not_valid(number):
    assert not verhoeff_is_valid(number)


@pytest.mark.parametrize("junk", ["", "65a4", "२३६३", "12 34"])
def test_verhoeff_refuses_anything_but_ascii_digits(junk):
    assert not verhoeff_is_valid(junk)


def test_verhoeff_catches_every_single_digit_error_and_every_adjacent_swap():
    number = "234123412346"  # an Aadhaar (UIDAI's numbering scheme; python-stdnum's example)
    assert verhoeff_is_valid(number)
    for position in range(len(number)):
        for digit in "0123456789":
            if digit != number[position]:
                assert not verhoeff_is_valid(number[:position] + digit + number[position + 1 :])
    for position in range(len(number) - 1):
        a, b = number[position], number[position + 1]
        if a != b:
            assert not verhoeff_is_valid(number[:position] + b + a + number[position + 2 :])


# --- ids by their shape --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("234123412346", "Aadhaar"),
        ("2341 2341 2346", "Aadhaar"),
        ("2341-2341-2346", "Aadhaar"),
        ("Aadhaar: 2341 2341 2346, seen", "Aadhaar"),
        ("ACUPA7085R", "PAN"),
        ("acupa7085r", "PAN"),
        ("PAN ABCCD1234E (company)", "PAN"),
        ("234123412347", None),  # a wrong check digit
        ("134123412346", None),  # no Aadhaar begins with 0 or 1
        ("1234 5678 9012", None),
        ("2341234123461", None),  # 13 digits
        ("ABMXA3211G", None),  # X is no PAN holder type
        ("ABCDE12345", None),
        ("9876543210", None),  # a phone
        ("+919812345674", None),  # a phone with its country code (and, by chance, a valid check digit)
        ("BENCH-00000001", None),
        ("31/12/2026", None),
        ("₹1,00,000.00", None),
    ],
)
def test_an_id_is_recognised_by_its_shape_and_check_digit(text, kind):
    assert national_id_in(text) == kind


def test_redacting_masks_each_id_and_leaves_the_rest():
    text = "Aadhaar 2341 2341 2346, PAN acupa7085r, loan 234123412347, call +919812345674"

    assert national_id_redact(text) == "Aadhaar ********2346, PAN ******085R, loan 234123412347, call +919812345674"
    assert national_id_redact("nothing here") == "nothing here"


def test_in_a_phone_column_a_mobile_with_its_country_code_is_a_phone():
    assert national_id_redact("919812345674") == "********5674"
    assert national_id_redact("919812345674", phones_kept=True) == "919812345674"
    assert national_id_redact("234123412346", phones_kept=True) == "********2346"


def test_a_row_is_masked_cell_by_cell_except_the_kept_columns():
    row = {"Name": "Asha", "Mobile": "919812345674", "LAN": "234123412346", "Ref": 234123412346, "Note": "ok"}

    masked = national_ids_masked(row, phone_columns={"Mobile"}, kept_columns={"LAN"})

    assert masked == {"Ref": "********2346"}
    assert national_ids_masked({"Name": "Asha Rao", "Amount": 50000}) is None


# --- the resource --------------------------------------------------------------------------------------------


def test_every_national_id_header_is_recognised_even_the_second_one():
    headers = ["Name", "Phone", "Aadhaar", "PAN", "KYC ID"]

    columns = [header_column(header) for header in headers]
    assert columns == ["name", "phone", "national_id", "national_id", "national_id"]
    mapping = header_map(headers)
    assert mapping.columns["national_id"] == 2
    assert mapping.duplicates == ["PAN", "KYC ID"]


def _error(column, value):
    _cleaned, errors = resource_clean_row({"phone": "9876543210", column: value})
    return errors[column]


@pytest.mark.parametrize(
    "value",
    ["2341 2341 2346 " + "9" * 60, "2.34123E+11", "ACUPA7085R" * 7],
)
def test_a_national_id_message_never_quotes_the_cell(value):
    message = _error("national_id", value)

    assert message.startswith("This value")
    assert value[:4] not in message and "2341" not in message and "ACUPA" not in message


def test_no_message_quotes_an_id_even_cut_short():
    # An Aadhaar that the message's 40-character excerpt cuts in two: masked before it is cut.
    name = "x" * 30 + " 2341 2341 2346 " + "y" * 200

    message = _error("name", name)

    assert "is too long for a name" in message
    assert "2341" not in message


@pytest.mark.parametrize(
    ("column", "value"),
    [("phone", "234123412346"), ("email", "2341 2341 2346 at home"), ("loan_id", "LN 2341 2341 2346 " + "z" * 60)],
)
def test_messages_naming_the_value_mask_an_id_in_it(column, value):
    message = _error(column, value) if column != "phone" else resource_clean_row({"phone": value})[1]["phone"]

    assert "********2346" in message
    assert "2341 2341" not in message and "234123412346" not in message


@pytest.mark.parametrize(("column", "value"), [("name", "Asha ACUPA7085R Rao"), ("state", "234123412346")])
def test_a_name_or_state_holding_an_id_is_refused_without_quoting_it(column, value):
    message = _error(column, value)

    assert "looks like a national id" in message
    assert "ACUPA" not in message and "2341" not in message


def test_an_email_longer_than_the_customer_column_is_refused():
    message = _error("email", "asha@" + "x" * 260 + ".com")

    assert message == "This email address is too long (at most 254 characters)."
