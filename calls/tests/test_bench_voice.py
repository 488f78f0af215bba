"""``bench_voice`` keeps its contract: N signed speech turns through the view, one last line of figures, and
nothing of its own left behind. (What the figures are is measured, never asserted.)"""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from calls.models import Call, PromiseToPay
from customers.models import Customer

pytestmark = pytest.mark.django_db(transaction=True)


def test_bench_voice_prints_its_figures_and_cleans_up(reference_data):
    out = StringIO()

    call_command("bench_voice", turns=7, stdout=out)

    last = out.getvalue().strip().splitlines()[-1]
    assert re.fullmatch(r"turns=7 p50_ms=\d+\.\d p95_ms=\d+\.\d turns_per_s=\d+", last), last
    assert not Customer.objects.exists() and not Call.objects.exists() and not PromiseToPay.objects.exists()
