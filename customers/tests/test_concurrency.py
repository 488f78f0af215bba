import threading

import pytest
from django.db import connection

from customers.models import Customer
from customers.services import customer_upsert

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*calls):
    """Run the calls in threads released together; return their results (or exceptions)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # the test inspects every outcome
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_concurrent_upserts_of_one_phone_leave_one_customer():
    for attempt in range(25):
        phone_digits = f"98765{attempt:05d}"
        results = _race(
            lambda digits=phone_digits: customer_upsert(phone=f"+91{digits}", full_name="Asha Rao", state="Goa"),
            lambda digits=phone_digits: customer_upsert(phone=f"0{digits}", full_name="Asha Rao", state="Kerala"),
        )

        assert not [r for r in results if isinstance(r, Exception)], results
        assert Customer.objects.filter(phone=f"+91{phone_digits}").count() == 1
        assert sorted(r.created for r in results) == [False, True]
        assert results[0].instance.pk == results[1].instance.pk
