"""Every action the code records in the audit trail is one of ``AuditAction``, and reads as words in the admin.

The code is read, not run: every ``audit_event_record(…, action=…)`` in the product's modules is found, and its
action checked. An action built from a value (``f"campaign.{verb}"``) is checked for every value it can take.
"""

import ast
from pathlib import Path

import pytest

from calls.services.campaigns import CAMPAIGN_TRANSITIONS, _verb
from payments.gateways.base import NoticeKind
from uploads.models import ConflictResolution
from voiceassist.common.models import AuditAction, AuditEvent
from voiceassist.common.services import audit_event_record

ROOT = Path(__file__).resolve().parents[3]
SKIPPED = {".venv", "var", "node_modules", "tests", "migrations"}

# Each action the code builds from a value, with every value it takes (from where the value comes from).
BUILT = {
    "campaign.{verb}": {_verb(current, to) for current, targets in CAMPAIGN_TRANSITIONS.items() for to in targets},
    "upload.name_conflict_{entry.resolution}": set(ConflictResolution.values),
    "payment_link.{notice.kind}": {
        value for name, value in vars(NoticeKind).items() if name.isupper() and value
    },  # OTHER ("") is never recorded
}


def _recorded_actions() -> list[tuple[str, str]]:
    """(where, action) for every ``audit_event_record`` call in the product's code."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if SKIPPED & set(path.relative_to(ROOT).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "audit_event_record":
                action = next(keyword.value for keyword in node.keywords if keyword.arg == "action")
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                found.extend((where, one) for one in _actions(action))
    return found


def _actions(node: ast.expr) -> list[str]:
    """What an ``action=`` expression may be: a literal, an ``AuditAction`` member, ``AuditAction(f"…")``, an
    f-string (its source, the values in braces), or either branch of ``a if … else b``."""
    if isinstance(node, ast.Constant):
        return [node.value]
    if isinstance(node, ast.Attribute) and getattr(node.value, "id", None) == "AuditAction":
        return [AuditAction[node.attr].value]
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "AuditAction":
        return _actions(node.args[0])
    if isinstance(node, ast.JoinedStr):
        return [ast.unparse(node)[2:-1]]
    if isinstance(node, ast.IfExp):
        return _actions(node.body) + _actions(node.orelse)
    if isinstance(node, ast.Name) and node.id == "action":
        return []  # a helper handing its own argument on; its callers are read too
    return [f"<unreadable: {ast.unparse(node)}>"]


def _expanded(action: str) -> set[str]:
    if "{" not in action:
        return {action}
    prefix, placeholder = action.split("{", 1)
    template = prefix + "{" + placeholder
    assert template in BUILT, f"{action}: an action built from a value; list its values in BUILT"
    return {prefix + value for value in BUILT[template]}


def test_every_recorded_action_is_in_the_enumeration():
    recorded = _recorded_actions()
    assert len(recorded) > 30  # the reader found the code's calls
    unknown = [(where, action) for where, action in recorded for one in _expanded(action) if one not in AuditAction]

    assert unknown == []


def test_every_action_in_the_enumeration_is_recorded_somewhere():
    recorded = {one for _, action in _recorded_actions() for one in _expanded(action)}

    assert set(AuditAction.values) - recorded == set()


@pytest.mark.django_db
def test_actions_read_as_words_in_the_admin(client, back_office_user):
    audit_event_record(actor=back_office_user, action=AuditAction.WORK_ITEM_CLAIMED)
    client.force_login(back_office_user)

    page = client.get("/admin/common/auditevent/").content.decode()

    assert "Follow-up taken" in page  # the row, and the filter
    assert ">work_item.claimed<" not in page
    assert client.get("/admin/common/auditevent/", {"action": "work_item.claimed"}).context["cl"].result_count == 1
    assert AuditEvent.objects.get().get_action_display() == "Follow-up taken"


@pytest.mark.django_db
def test_an_action_outside_the_enumeration_is_refused_when_recorded(back_office_user):
    with pytest.raises(ValueError, match="customer.do_not_call_set"):
        audit_event_record(actor=back_office_user, action="customer.do_not_call_set")

    assert not AuditEvent.objects.exists()
    assert audit_event_record(actor=back_office_user, action="suppression.set").action == AuditAction.SUPPRESSION_SET
