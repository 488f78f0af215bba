import datetime
import pickle
from decimal import Decimal

import pytest

from customers.headers import HEADER_ALIASES, REQUIRED_COLUMNS, header_map
from customers.resources import CustomerFileResource, MissingColumns, resource_clean_row


def clean(column, value):
    """What the resource's field for ``column`` makes of one cell."""
    return CustomerFileResource.fields[column].clean({column: value})


def clean_error(column, value):
    with pytest.raises(ValueError) as excinfo:
        clean(column, value)
    return str(getattr(excinfo.value, "message", excinfo.value))


# --- the declaration -----------------------------------------------------------------------------------------


def test_every_canonical_column_is_a_field_named_after_its_column():
    fields = CustomerFileResource.fields

    assert list(fields) == list(HEADER_ALIASES)
    assert all(field.column_name == column for column, field in fields.items())
    assert fields["name"].attribute == "full_name"
    assert fields["amount"].attribute == "outstanding_amount"
    assert fields["language"].attribute == "preferred_language"
    assert set(REQUIRED_COLUMNS) <= set(fields)


def test_no_alias_belongs_to_two_columns():
    aliases = [alias for column_aliases in HEADER_ALIASES.values() for alias in column_aliases]

    assert len(set(aliases)) == len(aliases)
    assert header_map(aliases).duplicates == [
        alias for column_aliases in HEADER_ALIASES.values() for alias in column_aliases[1:]
    ]


# --- headers -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "alias"), [(column, alias) for column, aliases in HEADER_ALIASES.items() for alias in aliases]
)
def test_every_alias_maps_to_its_column(column, alias):
    assert header_map([alias]).columns == {column: 0}
    assert header_map([alias.upper()]).columns == {column: 0}
    assert header_map([f"  {alias.title()}  "]).columns == {column: 0}


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Mobile No.", "phone"),
        ("MOBILE_NO", "phone"),
        ("mobile  no", "phone"),
        ("Mobile-No", "phone"),
        ("MobileNo", "phone"),
        ("Phone*", "phone"),
        ("Contact No#", "phone"),
        ("Loan Account No:", "loan_id"),
        ("LOAN_ID", "loan_id"),
        ("Loan A/C No", "loan_id"),
        ("E-mail", "email"),
        ("E_MAIL", "email"),
        ("Email ID", "email"),
        ("Amount (Due)", "amount_due"),
        ("D.P.D.", "days_past_due"),
        ("\ufeffName", "name"),
        ("Due  Date", "due_date"),
        ("national_id", "national_id"),
        ("alternate_phone", "alternate_phone"),
    ],
)
def test_headers_match_whatever_their_case_spacing_and_punctuation(header, column):
    mapping = header_map([header])
    if column is None:
        assert mapping.columns == {}
        assert mapping.unknown == [header]
    else:
        assert mapping.columns == {column: 0}


def test_the_mapping_gives_each_column_its_index_and_reports_the_rest():
    headers = ["Sr No", "Customer Name", "Mobile No.", "", "Branch", "Amount", "phone", "Outstanding", "  "]

    mapping = header_map(headers)

    assert mapping.columns == {"name": 1, "phone": 2, "amount": 5}
    assert mapping.unknown == ["Sr No", "Branch"]
    assert mapping.duplicates == ["phone", "Outstanding"]
    assert mapping.missing_required == []


def test_missing_required_columns_are_named():
    assert header_map(["Customer", "Amount"]).missing_required == ["phone"]
    assert header_map(["Mobile", "Amount"]).missing_required == ["name"]
    assert header_map([]).missing_required == ["name", "phone"]


def test_the_missing_columns_error_names_the_column_the_headers_found_and_what_to_rename():
    error = MissingColumns(missing=["phone"], found=["Name", "Mobile Num", "", "Amount"])

    assert error.code == "missing_columns"
    assert error.message.startswith("The file has no column for: phone. Columns found: Name, Mobile Num, Amount.")
    assert "Rename a column to one of: phone, mobile, mobile no, mobile number" in error.message
    assert error.details == {"missing": ["phone"], "found": ["Name", "Mobile Num", "Amount"]}


def test_the_missing_columns_error_lists_the_names_for_each_missing_column():
    error = MissingColumns(missing=["name", "phone"], found=[])

    assert "no column for: name, phone. Columns found: none." in error.message
    assert "name (one of: name, customer name" in error.message
    assert "phone (one of: phone, mobile" in error.message


def test_the_missing_columns_error_survives_pickling():
    error = pickle.loads(pickle.dumps(MissingColumns(missing=["phone"], found=["Name"])))  # noqa: S301

    assert error.message.startswith("The file has no column for: phone.")
    assert error.code == "missing_columns"


# --- text ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("  Asha   Rao ", "Asha Rao"), ("Ravi\tKumar\n", "Ravi Kumar"), ("", None), ("   ", None), (None, None)],
)
def test_names_and_states_are_stripped_and_their_spaces_collapsed(raw, expected):
    assert clean("name", raw) == expected
    assert clean("state", raw) == expected


def test_a_name_too_long_for_the_database_is_refused():
    assert "too long for a name" in clean_error("name", "A" * 201)


# --- phones --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["9876543210", " +91 98765 43210 ", "9876543210.0", "9.876543210E+09", 9876543210])
def test_phones_are_normalised(raw):
    assert clean("phone", raw) == "+919876543210"


def test_a_bad_phone_is_refused_with_its_value():
    message = clean_error("phone", "12345")

    assert "12345" in message
    assert "too short" in message


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_a_blank_phone_cleans_to_none(raw):
    assert clean("phone", raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("9876543210", ["+919876543210"]),
        ("9876543210, 98765 43211", ["+919876543210", "+919876543211"]),
        ("9876543210;9876543211 / 09876543212 | +91 98765 43213", [f"+91987654321{i}" for i in range(4)]),
        ("9876543210, 09876543210", ["+919876543210"]),
        ("9876543210,", ["+919876543210"]),
        (9876543210, ["+919876543210"]),
        ("", None),
        (None, None),
        (" , ", None),
    ],
)
def test_alternate_phones_are_a_list_of_e164_numbers(raw, expected):
    assert clean("alternate_phone", raw) == expected


def test_a_bad_alternate_phone_is_refused_with_its_value():
    assert "98765abcde" in clean_error("alternate_phone", "9876543210, 98765abcde")


# --- identifiers ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" LN-0042 ", "LN-0042"),
        ("ln/2025/17", "ln/2025/17"),
        ("12345.0", "12345"),
        (12345, "12345"),
        (12345.0, "12345"),
        (Decimal("12345"), "12345"),
        ("00123", "00123"),
        ("", None),
        (None, None),
    ],
)
def test_loan_ids_keep_their_text_but_lose_what_excel_added(raw, expected):
    assert clean("loan_id", raw) == expected


def test_a_loan_id_excel_rounded_is_refused():
    message = clean_error("loan_id", "1.23457E+11")

    assert "1.23457E+11" in message
    assert "format the column as text" in message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(" 1234 5678 9012 ", "1234 5678 9012"), ("ABCDE1234F", "ABCDE1234F"), (123456789012, "123456789012")],
)
def test_national_ids_are_kept_as_written(raw, expected):
    assert clean("national_id", raw) == expected


# --- amounts -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("50000", "50000.00"),
        ("50000.5", "50000.50"),
        ("50000.505", "50000.51"),
        ("1,00,000", "100000.00"),
        ("10,00,000", "1000000.00"),
        ("1,00,000.50", "100000.50"),
        ("100,000", "100000.00"),
        ("₹50,000.00", "50000.00"),
        ("₹ 50,000", "50000.00"),
        ("Rs. 50,000", "50000.00"),
        ("rs 50000", "50000.00"),
        ("INR 50000", "50000.00"),
        ("50000 INR", "50000.00"),
        ("50,000/-", "50000.00"),
        ("Rs.50,000/-", "50000.00"),
        ("  750  ", "750.00"),
        ("0", "0.00"),
        ("5E+4", "50000.00"),
        (50000, "50000.00"),
        (50000.5, "50000.50"),
        (Decimal("123.456"), "123.46"),
        ("", None),
        (None, None),
    ],
)
def test_amounts_in_every_common_form(raw, expected):
    result = clean("amount", raw)

    assert result == (None if expected is None else Decimal(expected))
    if expected is not None:
        assert result.as_tuple().exponent == -2
        assert clean("principal", raw) == result


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("abc", "is not an amount"),
        ("50.000,00", "is not an amount"),
        ("1,0,0", "is not an amount"),
        ("12 lakh", "is not an amount"),
        ("-500", "negative"),
        ("Rs. -500", "negative"),
        (-500, "negative"),
        (float("nan"), "is not an amount"),
        ("1000000000000", "too large"),
    ],
)
def test_bad_amounts_are_refused_with_their_value(raw, reason):
    message = clean_error("amount", raw)

    assert f"“{raw}”" in message
    assert reason in message


# --- dates ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "31/12/2025",
        "31-12-2025",
        "31.12.2025",
        "31/12/25",
        " 31/12/2025 ",
        "31/12/2025 00:00",
        "2025-12-31",
        "2025-12-31 00:00:00",
        "2025/12/31",
        "31-Dec-2025",
        "31 Dec 2025",
        "31 December 2025",
        "31-DEC-25",
        "Dec 31, 2025",
        46022,
        46022.0,
        "46022",
        "46022.0",
        datetime.datetime(2025, 12, 31, 0, 0),
        datetime.date(2025, 12, 31),
    ],
)
def test_dates_in_every_common_form(raw):
    assert clean("due_date", raw) == datetime.date(2025, 12, 31)


def test_dates_are_read_day_first():
    assert clean("due_date", "5/1/2026") == datetime.date(2026, 1, 5)
    assert clean("due_date", "05-01-2026") == datetime.date(2026, 1, 5)


def test_an_excel_serial_with_a_time_gives_its_day():
    assert clean("due_date", 46022.75) == datetime.date(2025, 12, 31)


@pytest.mark.parametrize("raw", ["", " ", None])
def test_a_blank_date_cleans_to_none(raw):
    assert clean("due_date", raw) is None


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("31/02/2025", "February 2025 has no day 31"),
        ("29/02/2025", "February 2025 has no day 29"),
        ("12/31/2025", "no month 31"),
        ("tomorrow", "is not a date"),
        ("31 Foo 2025", "is not a date"),
        ("123", "is not a date"),
        (123, "is not a date"),
        ("99999", "is not a date"),
    ],
)
def test_impossible_dates_are_refused_with_their_value(raw, reason):
    message = clean_error("due_date", raw)

    assert f"“{raw}”" in message
    assert reason in message


def test_a_leap_day_is_a_real_date():
    assert clean("due_date", "29/02/2028") == datetime.date(2028, 2, 29)


# --- days past due -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("15", 15), ("15.0", 15), (" 15 ", 15), ("0", 0), (15, 15), (15.0, 15), ("", None), (None, None)],
)
def test_days_past_due_is_a_whole_number(raw, expected):
    assert clean("days_past_due", raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("-3", "negative"), (-3, "negative"), ("15.5", "not a whole number"), ("abc", "not a whole number")],
)
def test_bad_days_past_due_are_refused_with_their_value(raw, reason):
    message = clean_error("days_past_due", raw)

    assert f"“{raw}”" in message
    assert reason in message


# --- language ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("hi", "hi"),
        ("HI", "hi"),
        ("Hindi", "hi"),
        ("HINDI", "hi"),
        (" hindi ", "hi"),
        ("हिन्दी", "hi"),
        ("हिंदी", "hi"),
        ("English", "en"),
        ("Tamil", "ta"),
        ("kn", "kn"),
        ("", None),
        (None, None),
    ],
)
def test_languages_by_code_name_or_native_name(raw, expected):
    assert clean("language", raw) == expected


def test_an_unknown_language_is_refused_with_the_accepted_values():
    message = clean_error("language", "Klingon")

    assert "“Klingon”" in message
    assert "en (English)" in message
    assert "hi (Hindi)" in message


# --- email ---------------------------------------------------------------------------------------------------


def test_emails_are_stripped_and_checked():
    assert clean("email", "  asha.rao@example.in ") == "asha.rao@example.in"
    assert clean("email", "") is None


@pytest.mark.parametrize("raw", ["asha.rao", "asha@", "asha rao@example.in", "@example.in"])
def test_bad_emails_are_refused_with_their_value(raw):
    assert f"“{raw}” is not an email address" in clean_error("email", raw)


# --- rows ----------------------------------------------------------------------------------------------------


def test_a_good_row_is_cleaned():
    cleaned, errors = resource_clean_row(
        {
            "name": " Asha  Rao ",
            "phone": "98765 43210",
            "loan_id": "LN1",
            "amount": "1,00,000",
            "due_date": "31/12/2025",
            "days_past_due": "15",
            "state": "Maharashtra",
            "language": "Hindi",
        }
    )

    assert errors == {}
    assert cleaned == {
        "name": "Asha Rao",
        "phone": "+919876543210",
        "loan_id": "LN1",
        "amount": Decimal("100000.00"),
        "due_date": datetime.date(2025, 12, 31),
        "days_past_due": 15,
        "state": "Maharashtra",
        "language": "hi",
    }


def test_each_bad_cell_gives_an_error_for_its_column_without_raising():
    cleaned, errors = resource_clean_row(
        {
            "name": "Asha",
            "phone": "12345",
            "amount": "abc",
            "due_date": "31/02/2025",
            "days_past_due": "-1",
            "language": "Klingon",
            "email": "nope",
            "state": "Goa",
        }
    )

    assert set(errors) == {"phone", "amount", "due_date", "days_past_due", "language", "email"}
    assert "12345" in errors["phone"]
    assert "“abc” is not an amount" in errors["amount"]
    assert "31/02/2025" in errors["due_date"]
    assert cleaned == {"name": "Asha", "state": "Goa"}


def test_a_blank_phone_is_required_but_a_blank_name_is_left_to_the_pipeline():
    cleaned, errors = resource_clean_row({"name": "  ", "phone": " ", "loan_id": "LN1"})

    assert errors == {"phone": "phone is required"}
    assert cleaned == {"name": None, "loan_id": "LN1"}


def test_a_row_without_a_phone_column_is_reported_too():
    _cleaned, errors = resource_clean_row({"name": "Asha"})

    assert errors == {"phone": "phone is required"}


def test_cells_of_unexpected_types_give_errors_not_exceptions():
    _cleaned, errors = resource_clean_row(
        {
            "phone": True,
            "amount": datetime.date(2025, 1, 1),
            "due_date": datetime.time(10, 30),
            "days_past_due": [1],
            "language": 3,
        }
    )

    assert set(errors) == {"phone", "amount", "due_date", "days_past_due", "language"}
