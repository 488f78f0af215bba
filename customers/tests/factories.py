from decimal import Decimal

import factory

from customers.models import Customer, Loan, Suppression, SuppressionKind, SuppressionSource


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    full_name = factory.Faker("name", locale="en_IN")
    phone = factory.Sequence(lambda n: f"+9199{n:08d}")
    state = "Maharashtra"
    preferred_language = "en"

    @factory.post_generation
    def do_not_call(customer, create, extracted, **kwargs):
        """``CustomerFactory(do_not_call="Asked to stop")``: the customer has a do-not-call suppression."""
        if create and extracted:
            reason = extracted if isinstance(extracted, str) else "Asked not to be called"
            SuppressionFactory(customer=customer, kind=SuppressionKind.DO_NOT_CALL, reason=reason)


class LoanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Loan

    customer = factory.SubFactory(CustomerFactory)
    loan_id = factory.Sequence(lambda n: f"LN{n:07d}")
    principal_amount = Decimal("100000.00")
    outstanding_amount = Decimal("25000.00")
    days_past_due = 0


class SuppressionFactory(factory.django.DjangoModelFactory):
    """Written directly (as a migration or a what-if would); tests of the rules use ``suppression_set_for``."""

    class Meta:
        model = Suppression

    customer = factory.SubFactory(CustomerFactory)
    kind = SuppressionKind.DO_NOT_CALL
    reason = "Asked not to be called"
    source = SuppressionSource.ADMIN
    phone = factory.LazyAttribute(lambda s: s.customer.phone if s.kind == SuppressionKind.WRONG_NUMBER else "")
