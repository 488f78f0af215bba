"""``manage.py compliance_check``: what-if scenarios judged by the guard, one JSON line each, nothing kept;
and settings that would widen the law stop every process at startup."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from calls.models import Call, PromiseToPay
from customers.models import Customer, Loan, Suppression

BASE_DIR = Path(__file__).resolve().parents[2]

SCENARIOS = [
    {
        "id": 1,
        "at": "2026-11-23T10:00:00-05:00",
        "channel": "bot",
        "loan_id": "L1",
        "customer": {"phone": "+12125550123", "state": "NY", "do_not_call": False},
        "loans": [{"loan_id": "L1", "outstanding": "12000.00", "due_date": "2026-11-01"}],
        "history": [
            {
                "type": "call",
                "at": "2026-11-20T11:00:00-05:00",
                "loan_id": "L1",
                "result": "conversation",
                "by": "agent",
            },
            {
                "type": "promise",
                "at": "2026-11-20T11:05:00-05:00",
                "loan_id": "L1",
                "amount": "300.00",
                "date": "2026-11-27",
                "grace_days": 0,
            },
        ],
    },
    {
        "id": "in-ok",
        "at": "2026-11-19T11:00:00+05:30",
        "loan_id": "A",
        "customer": {"phone": "98765 43210"},
        "loans": [{"loan_id": "A", "outstanding": "1,00,000"}],
    },
    {
        "id": "agent-stop",
        "at": "2026-11-19T11:00:00+05:30",
        "channel": "agent",
        "loan_id": "A",
        "customer": {"phone": "+919876543210"},
        "loans": [{"loan_id": "A", "outstanding": "10"}],
        "history": [{"type": "stop_calling", "at": "2026-11-18T11:00:00+05:30"}],
    },
    {
        "id": "bot-stop",
        "at": "2026-11-19T11:00:00+05:30",
        "loan_id": "A",
        "customer": {"phone": "+919876543210"},
        "loans": [{"loan_id": "A", "outstanding": "10"}],
        "history": [{"type": "stop_calling", "at": "2026-11-18T11:00:00+05:30"}],
    },
    {"id": "broken", "at": "2026-11-19", "customer": {"phone": "+919876543210"}},
]


def run(scenarios, tmp_path) -> list[dict]:
    path = tmp_path / "scenarios.json"
    path.write_text(json.dumps(scenarios))
    out = StringIO()
    call_command("compliance_check", "--batch", str(path), stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.django_db
def test_each_scenario_gets_one_line_with_the_guards_answer(tmp_path):
    lines = run(SCENARIOS, tmp_path)

    assert [line["id"] for line in lines] == [1, "in-ok", "agent-stop", "bot-stop", "broken"]
    assert all({"id", "allowed", "reason", "next_allowed_at", "message"} <= set(line) for line in lines)
    # Spoken to on the 20th (Reg F: seven quiet days to the 26th), the promise holds through the 27th.
    assert (lines[0]["allowed"], lines[0]["reason"], lines[0]["next_allowed_at"]) == (
        False,
        "after_conversation",
        "2026-11-28T08:00:00-05:00",
    )
    assert (lines[1]["allowed"], lines[1]["reason"], lines[1]["next_allowed_at"]) == (True, None, None)
    assert lines[2]["allowed"] is True
    assert (lines[3]["reason"], lines[3]["next_allowed_at"]) == ("stop_calling", None)
    assert lines[4]["allowed"] is False and "at: '2026-11-19'" in lines[4]["message"]


@pytest.mark.django_db
def test_nothing_a_scenario_writes_is_kept(tmp_path):
    run(SCENARIOS, tmp_path)
    for model in (Customer, Loan, Call, PromiseToPay, Suppression):
        assert not model.objects.exists(), model


@pytest.mark.django_db
def test_a_file_that_is_not_a_list_of_scenarios_is_refused_with_a_message(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    with pytest.raises(CommandError, match="is not JSON"):
        call_command("compliance_check", "--batch", str(path))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("compliance_check", "--batch", str(tmp_path / "missing.json"))


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "voiceassist.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_startup_refuses_settings_that_widen_the_law():
    widened = _manage("check", COMPLIANCE_OVERRIDES=json.dumps({"IN": {"window": "07:00-19:00"}}))
    assert widened.returncode != 0
    assert "the window 07:00–19:00 is wider than India (RBI)'s 08:00–19:00" in widened.stderr

    narrowed = _manage("check", COMPLIANCE_OVERRIDES=json.dumps({"IN": {"window": "09:00-18:00"}}))
    assert narrowed.returncode == 0, narrowed.stderr
