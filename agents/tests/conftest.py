"""Browser tests need Debian's Chromium: skipped without it locally, a failure under ``CI=true``.

The same rule as the ``postgres``/``redis``/``worker`` markers in the root ``conftest.py``.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("browser") is None or CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is not installed"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{message}, and CI must run the browser tests.", pytrace=False)
    pytest.skip(message)
