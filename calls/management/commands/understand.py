"""Run the speech-understanding engine on one utterance or a JSONL file; never touches the database.

manage.py understand "main kal paanch hazaar de dunga" --lang hi --today 2026-11-21
manage.py understand --batch utterances.jsonl            # one JSON answer per input line
manage.py understand --batch labelled.jsonl --score      # per-intent accuracy, date and amount accuracy
"""

import json
from collections import Counter
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from calls.understanding import INTENTS, understand
from calls.understanding.numbers import format_amount


def _answer(item_id, understanding) -> dict:
    return {
        "id": item_id,
        "intent": understanding.intent,
        "date": understanding.date.isoformat() if understanding.date else None,
        "amount": format_amount(understanding.amount),
    }


def _read_line(line: str) -> tuple[object, str, str, date]:
    item = json.loads(line)
    if not isinstance(item, dict):
        raise ValueError("a line must be a JSON object")
    text = item.get("text")
    if text is not None and not isinstance(text, str):
        raise ValueError("text must be a string")
    today = date.fromisoformat(item["today"]) if item.get("today") else date.today()
    return item.get("id"), text or "", str(item.get("lang") or "en"), today


class Command(BaseCommand):
    help = "Understand an utterance (or a JSONL batch) and print intent, date and amount as JSON."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("text", nargs="?", help="one utterance")
        parser.add_argument("--lang", default="en", help="the call's language (en, hi)")
        parser.add_argument("--today", help="the day of the call, YYYY-MM-DD (default: today)")
        parser.add_argument("--batch", help="a JSONL file of {id, lang, today, text}")
        parser.add_argument("--score", action="store_true", help="with --batch: compare with labels and report")

    def handle(self, *args, **options):
        if options["batch"]:
            self._batch(options["batch"], score=options["score"])
            return
        if options["text"] is None:
            raise CommandError("Give an utterance or --batch FILE.")
        try:
            today = date.fromisoformat(options["today"]) if options["today"] else date.today()
        except ValueError as error:
            raise CommandError(f"--today must be YYYY-MM-DD: {error}") from error
        understanding = understand(options["text"], lang=options["lang"], today=today)
        self.stdout.write(json.dumps(_answer(None, understanding), ensure_ascii=False))

    def _batch(self, path: str, *, score: bool) -> None:
        rows = []
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                if not line.strip():
                    continue
                try:
                    item_id, text, lang, today = _read_line(line)
                except (ValueError, KeyError, TypeError) as error:
                    failed = {"id": None, "intent": "unclear", "date": None, "amount": None, "error": str(error)}
                    if not score:
                        self.stdout.write(json.dumps(failed, ensure_ascii=False))
                    continue
                answer = _answer(item_id, understand(text, lang=lang, today=today))
                if score:
                    rows.append((json.loads(line), answer))
                else:
                    self.stdout.write(json.dumps(answer, ensure_ascii=False))
        if score:
            self._report(rows)

    def _report(self, rows: list[tuple[dict, dict]]) -> None:
        support, correct = Counter(), Counter()
        dates_total = dates_right = amounts_total = amounts_right = 0
        for label, answer in rows:
            expected = label.get("intent")
            if expected is None:
                continue
            support[expected] += 1
            correct[expected] += answer["intent"] == expected
            if "date" in label:
                dates_total += label["date"] is not None or answer["date"] is not None
                dates_right += label["date"] is not None and answer["date"] == label["date"]
            if "amount" in label:
                amounts_total += label["amount"] is not None or answer["amount"] is not None
                expected_amount = format_amount(_decimal(label["amount"]))
                amounts_right += label["amount"] is not None and answer["amount"] == expected_amount
        self.stdout.write(f"{'intent':<16}{'support':>8}{'correct':>9}{'accuracy':>10}")
        for intent in INTENTS:
            if support[intent]:
                self.stdout.write(
                    f"{intent:<16}{support[intent]:>8}{correct[intent]:>9}{correct[intent] / support[intent]:>10.3f}"
                )
        total, right = sum(support.values()), sum(correct.values())
        self.stdout.write(f"{'overall':<16}{total:>8}{right:>9}{right / max(total, 1):>10.3f}")
        self.stdout.write(f"date accuracy   {dates_right}/{dates_total} = {dates_right / max(dates_total, 1):.3f}")
        self.stdout.write(
            f"amount accuracy {amounts_right}/{amounts_total} = {amounts_right / max(amounts_total, 1):.3f}"
        )


def _decimal(value):
    from decimal import Decimal

    return None if value is None else Decimal(str(value))
