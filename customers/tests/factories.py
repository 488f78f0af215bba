from decimal import Decimal

import factory

from customers.models import Customer, Loan


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    full_name = factory.Faker("name", locale="en_IN")
    phone = factory.Sequence(lambda n: f"+9199{n:08d}")
    state = "Maharashtra"
    preferred_language = "en"


class LoanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Loan

    customer = factory.SubFactory(CustomerFactory)
    loan_id = factory.Sequence(lambda n: f"LN{n:07d}")
    principal_amount = Decimal("100000.00")
    outstanding_amount = Decimal("25000.00")
    days_past_due = 0
