from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.utils import timezone

from customers.models import Customer, Loan, LoanStatus, Suppression
from customers.national_ids import national_id_fingerprint
from customers.phones import InvalidPhoneNumber
from customers.services import customer_upsert, loan_upsert
from customers.suppressions import suppression_clear, suppression_set_for
from customers.tests.factories import CustomerFactory, LoanFactory
from voiceassist.common.exceptions import ApplicationError
from voiceassist.common.models import AuditEvent

pytestmark = pytest.mark.django_db

DAY_1 = timezone.make_aware(datetime(2026, 11, 1, 10, 0))
DAY_2 = DAY_1 + timedelta(days=1)
DAY_3 = DAY_1 + timedelta(days=2)


def test_one_person_uploaded_with_three_phone_formats_is_one_customer():
    first = customer_upsert(phone="+919876543210", full_name="Asha Rao", uploaded_at=DAY_1)
    second = customer_upsert(phone="09876543210", full_name="Asha Rao", uploaded_at=DAY_2)
    third = customer_upsert(phone="9876543210.0", full_name="Asha Rao", uploaded_at=DAY_3)

    assert Customer.objects.count() == 1
    assert first.created and not second.created and not third.created
    assert first.instance.pk == second.instance.pk == third.instance.pk
    customer = Customer.objects.get()
    assert customer.phone == "+919876543210"
    assert customer.first_uploaded_at == DAY_1
    assert customer.last_uploaded_at == DAY_3


def test_an_update_reports_the_fields_it_changed_and_keeps_the_latest_values():
    customer_upsert(phone="9876543210", full_name="Asha Rao", state="Goa", uploaded_at=DAY_1)
    result = customer_upsert(phone="9876543210", full_name="Asha  Rao ", state="Kerala", uploaded_at=DAY_2)

    assert result.changes == {"state": ["Goa", "Kerala"]}
    customer = Customer.objects.get()
    assert customer.state == "Kerala"
    assert customer.first_uploaded_at == DAY_1


def test_an_upsert_with_nothing_new_changes_nothing():
    customer_upsert(phone="9876543210", full_name="Asha Rao", state="Goa")
    before = Customer.objects.get().updated_at
    result = customer_upsert(phone="+91 98765 43210", full_name="Asha Rao", state="Goa")

    assert result.changes == {}
    assert Customer.objects.get().updated_at == before


def test_values_not_given_are_left_alone():
    customer_upsert(phone="9876543210", full_name="Asha Rao", state="Goa", email="asha@example.com")
    customer_upsert(phone="9876543210", state="Kerala")

    customer = Customer.objects.get()
    assert (customer.full_name, customer.email, customer.state) == ("Asha Rao", "asha@example.com", "Kerala")


def test_a_new_customer_needs_a_name():
    with pytest.raises(ApplicationError, match="name is required"):
        customer_upsert(phone="9876543210")
    assert not Customer.objects.exists()


def test_an_invalid_phone_is_refused_and_nothing_is_written():
    with pytest.raises(InvalidPhoneNumber):
        customer_upsert(phone="12345", full_name="Asha Rao")
    assert not Customer.objects.exists()


def test_alternate_phones_are_normalised_deduplicated_and_exclude_the_primary():
    customer_upsert(
        phone="9876543210",
        full_name="Asha Rao",
        alternate_phones=["098765 43211", "+919876543211", "9876543210", ""],
    )
    assert Customer.objects.get().alternate_phones == ["+919876543211"]


def test_the_national_id_is_kept_only_as_a_fingerprint_and_last_four():
    customer_upsert(phone="9876543210", full_name="Asha Rao", national_id="1234 5678 9012")

    customer = Customer.objects.get()
    assert customer.national_id_last4 == "9012"
    assert customer.national_id_fingerprint == national_id_fingerprint("123456789012").fingerprint
    stored = " ".join(str(v) for v in Customer.objects.values().get().values())
    assert "123456789012" not in stored
    assert "1234 5678 9012" not in stored


def test_a_changed_national_id_never_appears_in_the_changes():
    customer_upsert(phone="9876543210", full_name="Asha Rao", national_id="1234-5678-9012")
    result = customer_upsert(phone="9876543210", national_id="9999-5678-0000")

    assert result.changes == {"national_id": ["9012", "0000"]}


def test_the_fingerprint_depends_on_the_key_in_settings(settings):
    before = national_id_fingerprint("ABCDE1234F").fingerprint
    settings.NATIONAL_ID_HMAC_KEY = "another-key"
    assert national_id_fingerprint("abcde 1234 f").fingerprint != before


def test_the_database_holds_one_customer_per_phone():
    CustomerFactory(phone="+919876543210")
    with pytest.raises(IntegrityError):
        CustomerFactory(phone="+919876543210")


def test_loan_upsert_creates_then_reports_changes_with_amounts_as_text():
    customer = CustomerFactory()
    created = loan_upsert(
        customer=customer, loan_id=" LN1 ", outstanding_amount=Decimal("50000"), due_date=date(2026, 12, 31)
    )
    updated = loan_upsert(customer=customer, loan_id="LN1", outstanding_amount=Decimal("42000.00"))

    assert created.created
    assert updated.changes == {"amount": ["50000.00", "42000.00"]}
    loan = Loan.objects.get()
    assert (loan.loan_id, loan.outstanding_amount, loan.due_date) == ("LN1", Decimal("42000.00"), date(2026, 12, 31))


def test_a_loan_never_moves_to_another_customer():
    loan = LoanFactory()
    with pytest.raises(ApplicationError, match="belongs to another customer"):
        loan_upsert(customer=CustomerFactory(), loan_id=loan.loan_id, outstanding_amount=Decimal("1"))


def test_a_suppression_needs_a_reason_is_audited_and_said_once(back_office_user):
    customer = CustomerFactory()
    with pytest.raises(ApplicationError, match="Say why"):
        suppression_set_for(customer=customer, kind="do_not_call", reason="  ", source="admin", actor=back_office_user)

    first = suppression_set_for(
        customer=customer, kind="do_not_call", reason="Asked on call to stop", source="admin", actor=back_office_user
    )
    again = suppression_set_for(
        customer=customer, kind="do_not_call", reason="Asked again", source="admin", actor=back_office_user
    )

    assert again == first and Suppression.objects.count() == 1
    customer = Customer.objects.with_do_not_call().get(pk=customer.pk)
    assert customer.do_not_call and customer.do_not_call_reason == "Asked on call to stop"
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.target_id) == (back_office_user, "suppression.set", str(customer.pk))
    assert event.details == {"kind": "do_not_call", "loan": None, "reason": "Asked on call to stop", "source": "admin"}


def test_a_dispute_is_about_one_loan_and_a_wrong_number_about_one_phone(agent_user):
    loan = LoanFactory()
    dispute = suppression_set_for(
        customer=loan.customer,
        kind="dispute",
        loan=loan,
        reason="Says the amount is wrong",
        source="agent",
        actor=agent_user,
    )
    wrong = suppression_set_for(
        customer=loan.customer,
        kind="wrong_number",
        loan=loan,
        reason="A shop answered",
        source="agent",
        actor=agent_user,
    )
    assert (dispute.loan, dispute.phone) == (loan, "")
    assert (wrong.loan, wrong.phone) == (None, loan.customer.phone)
    with pytest.raises(ApplicationError, match="another customer"):
        suppression_set_for(
            customer=CustomerFactory(), kind="dispute", loan=loan, reason="x", source="agent", actor=agent_user
        )


def test_agents_set_suppressions_but_only_back_office_clears_them_or_marks_deceased(agent_user, back_office_user):
    customer = CustomerFactory()
    suppression = suppression_set_for(
        customer=customer, kind="stop_calling", reason="Asked the bot to stop", source="agent", actor=agent_user
    )
    with pytest.raises(ApplicationError, match="Only back office") as refused:
        suppression_clear(suppression=suppression, actor=agent_user, reason="Changed their mind")
    assert refused.value.code == "back_office_only"
    with pytest.raises(ApplicationError, match="Only back office may mark"):
        suppression_set_for(
            customer=customer, kind="deceased", reason="Relative said", source="agent", actor=agent_user
        )
    with pytest.raises(ApplicationError, match="Say why"):
        suppression_clear(suppression=suppression, actor=back_office_user, reason="")

    suppression_clear(suppression=suppression, actor=back_office_user, reason="Called us to resume")

    suppression.refresh_from_db()
    assert suppression.cleared_at is not None and suppression.cleared_by == back_office_user
    assert not Suppression.objects.active().exists()
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "suppression.set",
        "suppression.cleared",
    ]


def test_a_loan_owing_nothing_is_settled_and_owing_again_is_active():
    customer = CustomerFactory()
    loan = loan_upsert(customer=customer, loan_id="LN-0", outstanding_amount=Decimal("0.00")).instance
    assert loan.status == LoanStatus.SETTLED
    result = loan_upsert(customer=customer, loan_id="LN-0", outstanding_amount=Decimal("10.00"))
    assert result.instance.status == LoanStatus.ACTIVE
    assert result.changes["status"] == ["settled", "active"]
    closed = LoanFactory(customer=customer, status=LoanStatus.CLOSED)
    assert loan_upsert(customer=customer, loan_id=closed.loan_id, outstanding_amount=Decimal("0")).instance.status == (
        LoanStatus.CLOSED
    )
