"""Every kind of event the code records on a call is one of ``CallEventKind``; the call's page shows its words."""

import ast
from pathlib import Path

import pytest

from calls.models import CallEventKind, CallStatus
from calls.services.dispatch import call_cancel
from calls.tests.factories import CallFactory

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {".venv", "var", "tests", "migrations"}
WRITERS = {"call_record_event", "CallEvent", "create"}  # call_record_event(…), CallEvent(…), CallEvent.objects.create


def _recorded_kinds() -> list[tuple[str, str]]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if SKIPPED & set(path.relative_to(ROOT).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in WRITERS or (name == "create" and "CallEvent" not in ast.unparse(node.func)):
                continue
            for keyword in node.keywords:
                value = keyword.value
                if keyword.arg != "kind" or (isinstance(value, ast.Name) and value.id == "kind"):
                    continue  # ``call_record_event`` handing its own argument on: its callers are read
                kind = _kind(value)
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", kind))
    return found


def _kind(value: ast.expr) -> str:
    """A literal, or a member of ``CallEventKind`` (``CallEventKind.GUARD``) as its value."""
    if isinstance(value, ast.Constant):
        return value.value
    if isinstance(value, ast.Attribute) and getattr(value.value, "id", None) == "CallEventKind":
        return CallEventKind[value.attr].value
    return f"<unreadable: {ast.unparse(value)}>"


def test_every_recorded_kind_is_in_the_enumeration_and_every_kind_is_recorded():
    recorded = _recorded_kinds()
    assert len(recorded) >= 8  # the reader found the code's events

    assert [(where, kind) for where, kind in recorded if kind not in CallEventKind.values] == []
    assert set(CallEventKind.values) == {kind for _, kind in recorded}


@pytest.mark.django_db
def test_the_calls_page_shows_its_events_in_words(client, back_office_user):
    call = call_cancel(call=CallFactory(), actor=back_office_user)
    client.force_login(back_office_user)

    page = client.get(f"/admin/calls/call/{call.pk}/change/").content.decode()

    assert call.events.get().kind == CallEventKind.STATUS and call.status == CallStatus.CANCELED
    assert "Status change" in page
