from decimal import Decimal

import pytest

from voiceassist.common.money import indian_grouping


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        (0, "0"),
        (999, "999"),
        (1000, "1,000"),
        (100000, "1,00,000"),
        (Decimal("1234567.5"), "12,34,567.50"),
        (Decimal("125000000"), "12,50,00,000"),
        (Decimal("-25105"), "-25,105"),
    ],
)
def test_amounts_are_grouped_the_indian_way(amount, written):
    assert indian_grouping(amount) == written
