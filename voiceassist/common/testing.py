"""Helpers for tests that wait on another process (a worker, a web server)."""

import time

import pytest


def wait_until(condition, *, timeout: float = 30, interval: float = 0.2):
    """Poll ``condition`` until it returns something truthy; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"Condition not met within {timeout} s")
