from datetime import time

import factory
from django.utils import timezone

from calls.models import Call, CallStatus, Campaign, PromiseToPay
from customers.tests.factories import CustomerFactory, LoanFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    provider = "simulated"
    window_start = time(8, 0)
    window_end = time(19, 0)


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    customer = factory.SubFactory(CustomerFactory)
    loan = factory.SubFactory(LoanFactory, customer=factory.SelfAttribute("..customer"))
    phone_dialled = factory.SelfAttribute("customer.phone")
    provider = "simulated"
    status = CallStatus.SCHEDULED
    scheduled_for = factory.LazyFunction(timezone.now)


class PromiseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PromiseToPay

    loan = factory.SubFactory(LoanFactory)
    customer = factory.SelfAttribute("loan.customer")
    amount = 1000
    promised_date = factory.LazyFunction(timezone.localdate)
    outstanding_at_promise = factory.SelfAttribute("loan.outstanding_amount")
