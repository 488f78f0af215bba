"""A refused form sums its errors up at the top of the page the browser lands on; phones are tap-to-call."""

import re
from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from agents.forms import CallbackForm
from calls.models import WorkItemKind
from calls.services.work_items import work_item_create
from customers.tests.factories import CustomerFactory, LoanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reference_data(reference_data):
    """Roles and dispositions, even where an earlier transactional test flushed them."""


@pytest.fixture
def agent_client(client, agent_user):
    client.force_login(agent_user)
    return client


@pytest.fixture
def customer():
    customer = CustomerFactory(phone="+919876543210", alternate_phones=["+919812345678"])
    LoanFactory(customer=customer, loan_id="LN-1")
    return customer


def _text(response) -> str:
    return response.content.decode()


def _summary(page: str) -> str:
    match = re.search(r'<section class="error-summary" id="form-errors".*?</section>', page, re.S)
    assert match, "no summary of errors on the page"
    return match.group(0)


# --- Errors at the top -----------------------------------------------------------------------------


def test_a_refused_form_sums_its_errors_up_at_the_top_and_links_each_to_its_field(agent_client, customer):
    response = agent_client.post(
        f"/customers/{customer.pk}/promise/",
        {"promise-loan": customer.loans.get().pk, "promise-amount": "-5", "promise-promised_date": "soon"},
    )

    assert response.status_code == 200
    page = _text(response)
    summary = _summary(page)
    # Above everything else on the page, and where the focus goes.
    assert page.index('id="form-errors"') < page.index("<h1>") < page.index('id="details"')
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary and "autofocus" in summary
    assert '<a href="#promise">Record a promise to pay</a>' in summary
    assert (
        '<a href="#id_promise-amount">Amount promised (₹): Ensure this value is greater than or equal to 0.01.</a>'
        in (summary)
    )
    assert '<a href="#id_promise-promised_date">Will pay by: Enter a valid date.</a>' in summary
    # The errors stay next to their fields too.
    assert page.count("Enter a valid date.") == 2


def test_a_services_refusal_is_in_the_summary_too(agent_client, customer):
    late = timezone.localtime(timezone.now() + timedelta(days=1)).replace(hour=22, minute=0)

    response = agent_client.post(
        f"/customers/{customer.pk}/callback/", {"callback-at": late.strftime("%Y-%m-%dT%H:%M")}
    )

    summary = _summary(_text(response))
    assert '<a href="#callback">Schedule a callback</a>' in summary
    assert "Call back at: It is 22:00 for the customer" in summary


def test_an_error_about_no_field_links_to_its_form(customer):
    form = CallbackForm({"callback-at": ""}, customer=customer)
    form.is_valid()
    form.add_error(None, "Something about the whole form.")

    summary = render_to_string("agents/_error_summary.html", {"forms": [form]})

    assert '<a href="#callback">Something about the whole form.</a>' in summary
    assert '<a href="#id_callback-at">Call back at: This field is required.</a>' in summary


def test_a_page_without_errors_has_no_summary(agent_client, customer):
    assert 'id="form-errors"' not in _text(agent_client.get(f"/customers/{customer.pk}/"))


def test_a_refusal_in_the_queue_is_an_alert_at_the_top(agent_client, agent_user, customer):
    item = work_item_create(kind=WorkItemKind.CALLBACK, customer=customer, due_at=timezone.now() + timedelta(days=1))
    agent_client.post(f"/queue/{item.pk}/claim/")

    response = agent_client.post(f"/queue/{item.pk}/done/", {"note": ""}, follow=True)

    page = _text(response)
    match = re.search(r'<p class="message error" role="alert" tabindex="-1" autofocus>(.*?)</p>', page)
    assert match and match.group(1).startswith("This callback is due ")
    assert page.index("message error") < page.index("<h1>Work queue</h1>")
    assert "(needed to close it before it is due)" in page  # the note's placeholder says so beforehand


# --- Tap to call -----------------------------------------------------------------------------------


def test_phones_are_tap_to_call_on_the_customer_page_the_queue_and_the_search_results(agent_client, customer):
    CustomerFactory(full_name=f"{customer.full_name} Junior")  # two matches: the search lists them
    work_item_create(kind=WorkItemKind.AGENT_REQUESTED, customer=customer)
    link = '<a class="tel" href="tel:+919876543210">+919876543210</a>'

    page = _text(agent_client.get(f"/customers/{customer.pk}/"))
    assert link in page
    assert '<a class="tel" href="tel:+919812345678">+919812345678</a>' in page
    assert link in _text(agent_client.get("/queue/"))
    assert link in _text(agent_client.get("/search/", {"q": customer.full_name}))


def test_a_do_not_call_customers_phone_is_not_one_tap_away(agent_client):
    customer = CustomerFactory(phone="+919876543210", do_not_call="Asked never to be called")
    work_item_create(kind=WorkItemKind.DISPUTE, customer=customer)

    for url in (f"/customers/{customer.pk}/", "/queue/", f"/search/?q={customer.full_name}"):
        page = _text(agent_client.get(url, follow=True))
        assert "+919876543210" in page, url
        assert "tel:" not in page, url
