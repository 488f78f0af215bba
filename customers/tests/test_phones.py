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
        "9.87654321E+9",
        "9.87654321e+09",
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
