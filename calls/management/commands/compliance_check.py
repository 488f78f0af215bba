"""What-if for the compliance guard: ``manage.py compliance_check --batch FILE.json``.

Reads a JSON list of scenarios and prints, one per line, ``{"id", "allowed", "reason",
"next_allowed_at", "message"}``. Each scenario is judged by the guard the dispatcher and the dial-time
check use, on rows written inside a transaction that is rolled back: nothing is kept.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from calls.compliance.scenarios import ScenarioError, scenario_evaluate


class Command(BaseCommand):
    help = "Judge a batch of what-if scenarios with the compliance guard (nothing is written)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", required=True, help="A JSON file holding a list of scenarios.")

    def handle(self, *args, batch: str, **options) -> None:
        try:
            scenarios = json.loads(Path(batch).read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"Cannot read {batch}: {exc.strerror or exc}.") from exc
        except ValueError as exc:
            raise CommandError(f"{batch} is not JSON: {exc}.") from exc
        if isinstance(scenarios, dict):
            scenarios = [scenarios]
        if not isinstance(scenarios, list):
            raise CommandError(f"{batch} must hold a JSON list of scenarios.")
        for scenario in scenarios:
            try:
                result = scenario_evaluate(scenario)
            except ScenarioError as exc:
                result = {
                    "id": scenario.get("id") if isinstance(scenario, dict) else None,
                    "allowed": False,
                    "reason": None,
                    "next_allowed_at": None,
                    "message": f"The scenario cannot be read: {exc}",
                    "error": str(exc),
                }
            self.stdout.write(json.dumps(result, ensure_ascii=False))
