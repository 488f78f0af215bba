import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from customers.models import Customer, Loan

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_usable_demo_users_and_data_and_can_run_twice(capsys):
    call_command("seed_demo", customers=5)
    call_command("seed_demo", customers=5)

    output = capsys.readouterr().out
    assert "backoffice / backoffice-demo" in output
    assert "agent / agent-demo" in output
    login = RequestFactory().post("/accounts/login/")  # django-axes checks every password login's origin
    back_office = authenticate(login, username="backoffice", password="backoffice-demo")
    agent = authenticate(login, username="agent", password="agent-demo")
    assert back_office.is_staff and back_office.groups.filter(name="back_office").exists()
    assert not agent.is_staff and agent.groups.filter(name="agent").exists()
    assert Customer.objects.count() == 5
    assert Loan.objects.count() == 5
