"""Run the web server, a Celery worker and Celery beat together; Ctrl-C stops all three.

For a developer's machine and the embedded demo. In production each runs as its own service
(see ``docker-compose.yml``).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start the web server, a Celery worker and Celery beat; stop all three on Ctrl-C."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--concurrency", type=int, default=2)

    def handle(self, *args, addrport: str, concurrency: int, **options) -> None:
        var_dir = Path(settings.BASE_DIR) / "var"
        var_dir.mkdir(exist_ok=True)
        python = sys.executable
        commands = {
            "web": [python, "manage.py", "runserver", addrport, "--noreload"],
            "worker": [
                python,
                "-m",
                "celery",
                "-A",
                "voiceassist",
                "worker",
                "--loglevel=INFO",
                f"--concurrency={concurrency}",
                "--hostname=worker@%h",
            ],
            "beat": [
                python,
                "-m",
                "celery",
                "-A",
                "voiceassist",
                "beat",
                "--loglevel=INFO",
                f"--schedule={var_dir / 'celerybeat-schedule'}",
            ],
        }
        processes = {
            name: subprocess.Popen(command, cwd=settings.BASE_DIR, env=os.environ.copy())
            for name, command in commands.items()
        }
        self.stdout.write(self.style.SUCCESS(f"voiceassist is running on http://{addrport}/ — Ctrl-C stops it."))

        stopping = False

        def stop(signum=None, frame=None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not stopping:
            exited = [name for name, process in processes.items() if process.poll() is not None]
            if exited:
                self.stderr.write(f"{', '.join(exited)} stopped; stopping the others.")
                break
            time.sleep(0.5)

        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
        self.stdout.write("Stopped.")
