"""Who may open what: every URL of the product × every kind of user → the status it answers.

Users: anonymous; an agent (session); back office (session); an integration (API token) holding the
upload permissions and the view permissions of customers, uploads and calls, nothing else.

Each mutating cell runs on fresh objects (one test per cell), so a cell never depends on another.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from rest_framework.test import APIClient

from calls.models import CampaignStatus, Provider
from calls.services.work_items import work_item_create
from calls.tests.factories import CallFactory, CampaignFactory, PromiseFactory, calling_day_at
from customers.tests.factories import LoanFactory
from exports.tests.factories import completed_export_job
from uploads.models import UploadStatus
from uploads.tests.factories import csv_bytes, upload_rows
from voiceassist.common.tests.factories import UserFactory, api_token_for

pytestmark = pytest.mark.django_db

USERS = ("anonymous", "agent", "back_office", "integration")
MISSING = 999999
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = [["Customer Name", "Mobile No.", "LAN", "Outstanding"], ["Asha Rao", "98765 43210", "LN-1", "1,00,000"]]


@dataclass(frozen=True)
class Cell:
    method: str
    url: str
    # Expected status per user, in the order of USERS.
    expected: tuple[int, int, int, int]
    data: Any = None
    format: str | None = "json"
    extra: dict = field(default_factory=dict)


def _tomorrow_10_in_india() -> str:
    return calling_day_at(10).isoformat()


def _in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


# (anonymous, agent, back office, integration)
PAGE = (302, 302, 200, 302)  # the admin: back office only; a token means nothing to it
OPEN = (200, 200, 200, 200)
READ_ALL = (401, 200, 200, 200)  # what agents and integrations may read
READ_STAFF = (401, 403, 200, 200)  # readable by permission only (not agents)
MISSING_READ = (401, 404, 404, 404)
MISSING_STAFF = (401, 403, 404, 404)
AGENT_ACTION = (401, 200, 200, 403)  # what agents do; the integration was not given the change perms
AGENT_CREATE = (401, 201, 201, 403)
STAFF_ACTION = (401, 403, 200, 403)
STAFF_CREATE = (401, 403, 201, 403)
SIGNED = (403, 403, 403, 403)  # provider endpoints: the signature decides, not the user
# The upload pages: back office only (an agent has none; a token means nothing to a page).
BACK_OFFICE_PAGE = (302, 403, 200, 302)
BACK_OFFICE_POST = (302, 403, 302, 302)  # done, and back to the upload's page
LEADS_ELSEWHERE = (302, 302, 302, 302)  # the admin's upload pages: to the login, or to the upload pages

MATRIX: dict[str, Cell] = {
    # The pages
    "admin index": Cell("get", "/admin/", PAGE),
    "admin customers": Cell("get", "/admin/customers/customer/", PAGE),
    "admin loans": Cell("get", "/admin/customers/loan/", PAGE),
    "admin suppressions": Cell("get", "/admin/customers/suppression/", PAGE),
    "admin uploads": Cell("get", "/admin/uploads/fileupload/", PAGE),
    "admin upload add": Cell("get", "/admin/uploads/fileupload/add/", LEADS_ELSEWHERE),
    "admin upload change": Cell("get", "/admin/uploads/fileupload/{upload}/change/", LEADS_ELSEWHERE),
    "upload page new": Cell("get", "/uploads/new/", BACK_OFFICE_PAGE),
    "upload page": Cell("get", "/uploads/{upload}/?outcome=invalid&q=98765+43210&page=2", BACK_OFFICE_PAGE),
    "upload page missing": Cell("get", f"/uploads/{MISSING}/", (302, 403, 404, 302)),
    "upload page progress": Cell("get", "/uploads/{upload}/progress.json", BACK_OFFICE_PAGE),
    "upload page failed rows": Cell("get", "/uploads/{upload}/failed-rows.csv", BACK_OFFICE_PAGE),
    "upload page confirm": Cell("post", "/uploads/{preview}/confirm/", BACK_OFFICE_POST, format=None),
    "upload page revert": Cell("post", "/uploads/{upload}/revert/", BACK_OFFICE_POST, format=None),
    "upload page name conflicts": Cell(
        "post",
        "/uploads/{upload}/name-conflicts/",
        BACK_OFFICE_POST,
        {"decision": "reject", "scope": "all"},
        format=None,
    ),
    "admin column profiles": Cell("get", "/admin/uploads/columnprofile/", PAGE),
    "admin calls": Cell("get", "/admin/calls/call/", PAGE),
    "admin campaigns": Cell("get", "/admin/calls/campaign/", PAGE),
    "admin api tokens": Cell("get", "/admin/api_tokens/apitoken/", PAGE),
    "admin api token create": Cell("get", "/admin/api_tokens/apitoken/add/", PAGE),
    "admin login attempts": Cell("get", "/admin/axes/accessattempt/", PAGE),
    "login page": Cell("get", "/accounts/login/", (200, 302, 302, 200)),  # a signed-in user is sent on
    "admin export jobs": Cell("get", "/admin/exports/exportjob/", PAGE),
    "admin export job": Cell("get", "/admin/exports/exportjob/{export_job}/change/", PAGE),
    "admin export job download": Cell("get", "/admin/exports/exportjob/{export_job}/download/", PAGE),
    "agents home": Cell("get", "/", (302, 200, 302, 302)),
    "healthz": Cell("get", "/healthz", OPEN),
    "api schema": Cell("get", "/api/schema/", OPEN),
    "api docs": Cell("get", "/api/docs/", OPEN),
    # Customers
    "customer list": Cell("get", "/api/v1/customers/?q=98765+43210", READ_ALL),
    "customer detail": Cell("get", "/api/v1/customers/{customer}/", READ_ALL),
    "customer missing": Cell("get", f"/api/v1/customers/{MISSING}/", MISSING_READ),
    "customer do-not-call": Cell(
        "post", "/api/v1/customers/{customer}/do-not-call/", AGENT_ACTION, {"reason": "Asked"}
    ),
    "customer do-not-call missing": Cell(
        "post", f"/api/v1/customers/{MISSING}/do-not-call/", (401, 404, 404, 403), {"reason": "Asked"}
    ),
    "customer entries": Cell("get", "/api/v1/customers/{customer}/entries/", READ_STAFF),
    "customer suppressions": Cell("get", "/api/v1/customers/{customer}/suppressions/", READ_ALL),
    "customer suppression set": Cell(
        "post",
        "/api/v1/customers/{customer}/suppressions/",
        AGENT_CREATE,
        {"kind": "stop_calling", "reason": "Asked the bot to stop"},
    ),
    "customer suppressions missing": Cell("get", f"/api/v1/customers/{MISSING}/suppressions/", MISSING_READ),
    # Loans
    "loan list": Cell("get", "/api/v1/loans/?status=active", READ_ALL),
    "loan detail": Cell("get", "/api/v1/loans/{loan}/", READ_ALL),
    "loan missing": Cell("get", f"/api/v1/loans/{MISSING}/", MISSING_READ),
    "loan payment": Cell(
        "post", "/api/v1/loans/{loan}/payments/", STAFF_CREATE, {"amount": "100.00", "paid_on": "2026-01-05"}
    ),
    # Campaigns
    "campaign list": Cell("get", "/api/v1/campaigns/", READ_STAFF),
    "campaign create": Cell("post", "/api/v1/campaigns/", STAFF_CREATE, {"name": "Matrix"}),
    "campaign detail": Cell("get", "/api/v1/campaigns/{draft}/", READ_STAFF),
    "campaign missing": Cell("get", f"/api/v1/campaigns/{MISSING}/", MISSING_STAFF),
    "campaign start": Cell("post", "/api/v1/campaigns/{draft}/start/", STAFF_ACTION),
    "campaign pause": Cell("post", "/api/v1/campaigns/{running}/pause/", STAFF_ACTION),
    "campaign resume": Cell("post", "/api/v1/campaigns/{paused}/resume/", STAFF_ACTION),
    "campaign complete": Cell("post", "/api/v1/campaigns/{running}/complete/", STAFF_ACTION),
    "campaign metrics": Cell("get", "/api/v1/campaigns/{running}/metrics/", READ_STAFF),
    "metrics": Cell("get", "/api/v1/metrics/?from=2026-03-01&to=2026-03-31", READ_STAFF),
    # Calls
    "call list": Cell("get", "/api/v1/calls/?status=scheduled", READ_ALL),
    "call detail": Cell("get", "/api/v1/calls/{call}/", READ_ALL),
    "call missing": Cell("get", f"/api/v1/calls/{MISSING}/", MISSING_READ),
    "call schedule": Cell(
        "post", "/api/v1/calls/", STAFF_CREATE, lambda w: {"customer": w["customer"], "at": _tomorrow_10_in_india()}
    ),
    # Promises to pay
    "promise list": Cell("get", "/api/v1/promises/", READ_ALL),
    "promise create": Cell(
        "post",
        "/api/v1/promises/",
        AGENT_CREATE,
        lambda w: {"loan": w["loan"], "amount": "500", "promised_date": _in_days(3)},
    ),
    # Work items
    "work item list": Cell("get", "/api/v1/work-items/", READ_ALL),
    "work item done list": Cell("get", "/api/v1/work-items/?done=true", READ_ALL),
    "work item claim": Cell("post", "/api/v1/work-items/{item}/claim/", AGENT_ACTION),
    "work item complete": Cell("post", "/api/v1/work-items/{item}/complete/", AGENT_ACTION, {"note": "Done"}),
    "work item missing": Cell("post", f"/api/v1/work-items/{MISSING}/claim/", (401, 404, 404, 403)),
    # Uploads
    "upload list": Cell("get", "/api/v1/uploads/", READ_STAFF),
    "upload create": Cell(
        "post",
        "/api/v1/uploads/",
        (401, 403, 202, 202),
        lambda w: {"file": SimpleUploadedFile("customers.csv", csv_bytes(CSV), content_type="text/csv")},
        format="multipart",
    ),
    "upload detail": Cell("get", "/api/v1/uploads/{upload}/", READ_STAFF),
    "upload missing": Cell("get", f"/api/v1/uploads/{MISSING}/", MISSING_STAFF),
    "upload entries": Cell("get", "/api/v1/uploads/{upload}/entries/?outcome=created", READ_STAFF),
    "upload errors csv": Cell("get", "/api/v1/uploads/{upload}/errors.csv", READ_STAFF),
    "upload confirm": Cell("post", "/api/v1/uploads/{preview}/confirm/", (401, 403, 202, 202)),
    "upload revert": Cell("post", "/api/v1/uploads/{upload}/revert/", (401, 403, 202, 403)),
    "upload name conflicts": Cell(
        "post", "/api/v1/uploads/{upload}/name-conflicts/", (401, 403, 200, 403), {"decision": "reject"}
    ),
    "upload columns": Cell("post", "/api/v1/uploads/{preview}/columns/", (401, 403, 202, 202), {"columns": {}}),
    "column profiles": Cell("get", "/api/v1/uploads/column-profiles/", READ_STAFF),
    # Exports (each needs the view permission of what it exports)
    "export customers csv": Cell("get", "/api/v1/exports/customers.csv", READ_STAFF),
    "export calls xlsx": Cell("get", "/api/v1/exports/calls.xlsx", READ_STAFF),
    "export unknown": Cell("get", "/api/v1/exports/secrets.csv", MISSING_READ),
    # Export jobs: asked for with the export's view permission; seen by whoever asked, and by back office
    # (the job in the world is another back-office user's, so the integration does not see it).
    "export job create": Cell("post", "/api/v1/exports/", (401, 403, 202, 202), {"name": "customers", "format": "csv"}),
    "export job detail": Cell("get", "/api/v1/exports/jobs/{export_job}/", (401, 404, 200, 404)),
    "export job download": Cell("get", "/api/v1/exports/jobs/{export_job}/download/", (401, 404, 200, 404)),
    "export job missing": Cell("get", f"/api/v1/exports/jobs/{MISSING}/", MISSING_READ),
    # Provider endpoints: no signature, no entry, whoever asks
    "webhook simulated": Cell(
        "post", "/api/v1/calls/webhooks/simulated/", SIGNED, {"call_sid": "x", "status": "completed"}
    ),
    "webhook twilio": Cell(
        "post", "/api/v1/calls/webhooks/twilio/", SIGNED, {"CallSid": "x", "CallStatus": "completed"}, format=None
    ),
    "webhook exotel": Cell("post", "/api/v1/calls/webhooks/exotel/", SIGNED, {"CallSid": "x", "Status": "completed"}),
    "voice twilio": Cell("post", "/api/v1/calls/voice/twilio/{twilio_call}/", SIGNED, {}, format=None),
    "voice twilio gather": Cell(
        "post", "/api/v1/calls/voice/twilio/{twilio_call}/gather/", SIGNED, {"Digits": "1"}, format=None
    ),
    "voice exotel prompt": Cell("get", "/api/v1/calls/voice/exotel/prompt/?CallSid=x", SIGNED),
    "voice exotel answer": Cell("get", "/api/v1/calls/voice/exotel/answer/?CallSid=x&digits=1", SIGNED),
    # Payments: links (agents and whoever may view links read them; asking for money needs the right to add links)
    "admin payment links": Cell("get", "/admin/payments/paymentlink/", PAGE),
    "admin sms messages": Cell("get", "/admin/payments/smsmessage/", PAGE),
    "admin gateway events": Cell("get", "/admin/payments/gatewayevent/", PAGE),
    "payment link list": Cell("get", "/api/v1/payments/links/?loan={loan}", READ_ALL),
    "payment link create": Cell(
        "post", "/api/v1/payments/links/", STAFF_CREATE, lambda w: {"loan": w["loan"], "amount": "100.00"}
    ),
    "payment webhook simulated": Cell(
        "post", "/api/v1/payments/webhooks/simulated/", SIGNED, {"id": "x", "event": "payment_link.paid"}
    ),
    "payment webhook razorpay": Cell(
        "post", "/api/v1/payments/webhooks/razorpay/", SIGNED, {"event": "payment_link.paid", "payload": {}}
    ),
    "payment webhook unknown": Cell("post", "/api/v1/payments/webhooks/paypal/", (404, 404, 404, 404), {}),
    "sms status simulated": Cell(
        "post", "/api/v1/payments/sms/simulated/status/", SIGNED, {"message_id": "x", "status": "delivered"}
    ),
    "sms status twilio": Cell(
        "post",
        "/api/v1/payments/sms/twilio/status/",
        SIGNED,
        {"MessageSid": "x", "MessageStatus": "delivered"},
        format=None,
    ),
    "sms status exotel": Cell("post", "/api/v1/payments/sms/exotel/status/", SIGNED, {"SmsSid": "x", "Status": "sent"}),
}


@pytest.fixture
def world(roles) -> dict[str, int]:
    """One of everything a URL may name, in the state its action needs."""
    loan = LoanFactory(customer__phone="+919876543210")
    call = CallFactory(customer=loan.customer, loan=loan)
    twilio_call = CallFactory(provider=Provider.TWILIO)
    PromiseFactory()  # on another customer: an open promise would make the guard refuse a call to this one
    upload = upload_rows(CSV)
    preview = upload_rows(CSV, dry_run=True)
    assert upload.status == UploadStatus.COMPLETED and preview.status == UploadStatus.AWAITING_CONFIRMATION
    return {
        "customer": loan.customer_id,
        "loan": loan.pk,
        "call": call.pk,
        "twilio_call": twilio_call.pk,
        "draft": CampaignFactory().pk,
        "running": CampaignFactory(status=CampaignStatus.RUNNING).pk,
        "paused": CampaignFactory(status=CampaignStatus.PAUSED).pk,
        "item": work_item_create(kind="callback", customer=loan.customer, loan=loan).pk,
        "upload": upload.pk,
        "preview": preview.pk,
        "export_job": completed_export_job().pk,
    }


def _integration_user():
    user = UserFactory()
    upload_perms = Q(content_type__app_label="uploads", codename__in=["add_fileupload", "view_fileupload"])
    view_perms = Q(
        content_type__app_label__in=["customers", "uploads", "calls", "payments"], codename__startswith="view_"
    )
    user.user_permissions.set(Permission.objects.filter(upload_perms | view_perms))
    return user


def _client(kind: str, request) -> APIClient:
    client = APIClient()
    if kind == "agent":
        client.force_login(request.getfixturevalue("agent_user"))
    elif kind == "back_office":
        client.force_login(request.getfixturevalue("back_office_user"))
    elif kind == "integration":
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(_integration_user())}")
    return client


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("name", list(MATRIX))
def test_permission_matrix(name, user, world, request):
    cell = MATRIX[name]
    client = _client(user, request)
    url = cell.url.format(**world)
    kwargs: dict[str, Any] = {}
    if cell.method == "post":
        data = cell.data(world) if callable(cell.data) else cell.data
        kwargs = {"data": data, "format": cell.format} if cell.format else {"data": data or {}}

    # Work queued by a request (uploads, reverts) is left queued: this is about who may ask, not the work.
    response = getattr(client, cell.method)(url, **kwargs)

    expected = cell.expected[USERS.index(user)]
    assert response.status_code == expected, f"{name} as {user}: {response.status_code} {response.content[:300]!r}"
    if url.startswith("/api/v1/") and "/calls/webhooks/" not in url and "/calls/voice/" not in url:
        assert response["Content-Type"].startswith(("application/json", "text/csv", XLSX)), name
        if expected >= 400:
            assert set(response.json()["error"]) == {"code", "message", "details"}
        if expected == 401:
            assert response["WWW-Authenticate"] == "Token"


def _api_route_names(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            names |= _api_route_names(pattern, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/") and pattern.name:
            names.add(pattern.name)
    return names


def test_the_matrix_covers_every_api_route(world):
    covered = {resolve(cell.url.format(**world).split("?")[0]).url_name for cell in MATRIX.values()}

    assert _api_route_names() - covered == set()
