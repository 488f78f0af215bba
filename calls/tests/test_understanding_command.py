"""`manage.py understand`: the JSON contract outside checks rely on, and the --score report."""

import json
from datetime import date
from io import StringIO

from django.core.management import call_command


def _run(*args) -> list[str]:
    out = StringIO()
    call_command("understand", *args, stdout=out)
    return out.getvalue().splitlines()


def test_one_utterance_prints_the_contract_json():
    lines = _run("मैं 30 तारीख तक बारह हजार पांच सौ दे दूंगा", "--lang", "hi", "--today", "2026-11-21")
    assert lines == ['{"id": null, "intent": "promise_to_pay", "date": "2026-11-30", "amount": "12500"}']


def test_batch_keeps_order_skips_blank_lines_and_reports_bad_lines(tmp_path):
    batch = tmp_path / "in.jsonl"
    batch.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "lang": "hi", "today": "2026-11-21", "text": "maine kal payment kar diya"}),
                "",
                "{not json",
                json.dumps({"id": 7, "lang": "en", "today": "2026-11-03", "text": "I can pay 2500.50 on the 10th"}),
                json.dumps({"id": "c", "lang": "en", "text": "wrong number"}),
            ]
        ),
        encoding="utf-8",
    )
    lines = [json.loads(line) for line in _run("--batch", str(batch))]
    assert lines[0] == {"id": "a", "intent": "already_paid", "date": "2026-11-20", "amount": None}
    assert list(lines[1]) == ["id", "intent", "date", "amount", "error"]
    assert (lines[1]["id"], lines[1]["intent"], lines[1]["date"], lines[1]["amount"]) == (None, "unclear", None, None)
    assert lines[2] == {"id": 7, "intent": "promise_to_pay", "date": "2026-11-10", "amount": "2500.50"}
    assert lines[3] == {"id": "c", "intent": "wrong_number", "date": None, "amount": None}
    assert len(lines) == 4


def test_batch_output_is_utf8_not_escaped(tmp_path):
    batch = tmp_path / "in.jsonl"
    batch.write_text(json.dumps({"id": "हाँ", "text": "हाँ"}, ensure_ascii=False), encoding="utf-8")
    assert _run("--batch", str(batch)) == ['{"id": "हाँ", "intent": "yes", "date": null, "amount": null}']


def test_today_defaults_to_the_local_date():
    line = json.loads(_run("tomorrow I will pay")[0])
    assert date.fromisoformat(line["date"]) > date.today()


def test_score_prints_a_per_intent_table(tmp_path):
    batch = tmp_path / "labelled.jsonl"
    rows = [
        {
            "id": 1,
            "lang": "hi",
            "today": "2026-11-21",
            "text": "kal de dunga",
            "intent": "promise_to_pay",
            "date": "2026-11-22",
            "amount": None,
        },
        {"id": 2, "lang": "en", "today": "2026-11-21", "text": "yes", "intent": "yes", "date": None, "amount": None},
        {
            "id": 3,
            "lang": "en",
            "today": "2026-11-21",
            "text": "pay 5000",
            "intent": "promise_to_pay",
            "date": None,
            "amount": "5000.00",
        },
    ]
    batch.write_text("\n".join(json.dumps(row) for row in rows), encoding="utf-8")
    report = "\n".join(_run("--batch", str(batch), "--score"))
    assert "promise_to_pay" in report and "overall" in report
    assert "date accuracy   1/1 = 1.000" in report
    assert "amount accuracy 1/1 = 1.000" in report


def test_the_command_never_touches_the_database(monkeypatch):
    from django.db.backends.base.base import BaseDatabaseWrapper

    def refuse(*args, **kwargs):
        raise AssertionError("understand opened a database connection")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    assert json.loads(_run("haan", "--lang", "hi")[0])["intent"] == "yes"
