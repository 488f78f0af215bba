from decimal import Decimal

import pytest

from customers.phones import InvalidPhoneNumber, phone_normalize


@pytest.mark.parametrize(
    "raw",
    [
        "+919876543210",
        "919876543210",
        "09876543210",
        "9876543210",
        "98765 43210",
        "0091-98765-43210",
        "0091 98765 43210",
        "+91 (0) 98765 43210",
        "+91-98765-43210",
        "  9876543210  ",
        "9876543210.0",
        "9876543210.00",
        "9.876543210E+09",
        "9.876543210e+09",
        "9.876543210E+9",
        "9.876543210E9",
        "9,876543210E+09",
        "9.8765432100E+09",
        "98.76543210E+08",
        "9.19876543210E+11",
        " 9.876543210E+09 ",
        9876543210,
        9876543210.0,
        Decimal("9876543210"),
    ],
)
def test_every_way_of_writing_one_indian_number_gives_one_e164(raw):
    assert phone_normalize(raw) == "+919876543210"


def test_numbers_of_other_countries_keep_their_country_code():
    assert phone_normalize("+1 415 555 2671") == "+14155552671"
    assert phone_normalize("0044 20 7946 0958") == "+442079460958"


def test_the_default_region_comes_from_settings(settings):
    settings.PHONE_DEFAULT_REGION = "GB"
    assert phone_normalize("020 7946 0958") == "+442079460958"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("12345", "too short"),
        ("98765", "too short"),
        ("98765432101234567", "too long"),
        ("98765abcde", "contains letters"),
        ("CALL-ME-NOW", "contains letters"),
        ("+999 98765 43210", "country code"),
        ("0000000000", "not a valid phone number"),
        ("9876543210.5", "not a"),
        ("-9876543210", "minus sign"),
        ("9876543210-", "minus sign"),
    ],
)
def test_invalid_numbers_raise_an_error_naming_the_value(raw, reason):
    with pytest.raises(InvalidPhoneNumber) as excinfo:
        phone_normalize(raw)
    assert raw in excinfo.value.message
    assert reason in excinfo.value.message


@pytest.mark.parametrize(
    "raw",
    [
        "9.87654E+09",
        "9.87654e+09",
        "9.87654E+9",
        "9.87654E09",
        "9,87654E+09",
        "9.87654321E+9",
        "9.88E+09",
        "98.7654E+08",
        "9.19876E+11",
        "1.41555527E+10",
    ],
)
def test_a_number_a_spreadsheet_cut_short_is_refused_not_filled_with_zeros(raw):
    with pytest.raises(InvalidPhoneNumber) as excinfo:
        phone_normalize(raw)
    assert excinfo.value.message == (
        f"“{raw}” lost its last digits in a spreadsheet: ask the lender for the number as text."
    )


def test_the_zeros_a_spreadsheet_filled_in_would_have_named_a_real_person():
    # Without the refusal these digits are a valid mobile number: nothing else would catch it.
    assert phone_normalize("9876540000") == "+919876540000"
    with pytest.raises(InvalidPhoneNumber, match="lost its last digits"):
        phone_normalize("9.87654E+09")


@pytest.mark.parametrize("raw", [9876543210.0, 9.87654321e9, Decimal("9876543210.0"), Decimal("9.87654321E+9")])
def test_numbers_read_from_a_workbook_cell_carry_every_digit(raw):
    # A workbook stores the number itself; only its display (and a CSV saved from it) is rounded.
    assert phone_normalize(raw) == "+919876543210"


def test_the_upload_widget_turns_a_cut_short_number_into_a_row_error():
    from customers.resources import resource_clean_row

    cleaned, errors = resource_clean_row({"name": "Asha", "phone": "9.87654E+09"})

    assert "phone" not in cleaned
    assert errors["phone"] == (
        "“9.87654E+09” lost its last digits in a spreadsheet: ask the lender for the number as text."
    )


def test_the_upload_widget_keeps_a_number_with_all_its_digits():
    from customers.resources import resource_clean_row

    cleaned, errors = resource_clean_row({"name": "Asha", "phone": "9.876543210E+09", "alternate_phone": "9.87654E+09"})

    assert cleaned["phone"] == "+919876543210"
    assert "lost its last digits" in errors["alternate_phone"]


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_a_missing_number_is_reported_as_required(raw):
    with pytest.raises(InvalidPhoneNumber, match="required"):
        phone_normalize(raw)


def test_invalid_phone_is_a_value_error_so_import_widgets_can_report_it():
    with pytest.raises(ValueError):
        phone_normalize("123")


def test_the_fast_path_for_indian_numbers_agrees_with_the_full_parser():
    import random

    import phonenumbers

    rng = random.Random(7)
    for _ in range(3000):
        digits = f"{rng.randint(1, 9)}{rng.randint(0, 10**9 - 1):09d}"
        for written in (digits, f"0{digits}", f"91{digits}", f"+91 {digits[:5]} {digits[5:]}"):
            parsed = phonenumbers.parse(written, "IN")
            if phonenumbers.is_valid_number(parsed):
                assert phone_normalize(written) == phonenumbers.format_number(
                    parsed, phonenumbers.PhoneNumberFormat.E164
                )
            else:
                with pytest.raises(InvalidPhoneNumber):
                    phone_normalize(written)


@pytest.mark.parametrize("text", ["1e99999999", "9.8E+999999", "9" * 5000])
def test_a_number_too_long_to_be_a_phone_is_refused_at_once(text):
    with pytest.raises(InvalidPhoneNumber, match="too long"):
        phone_normalize(text)
