import socket
from typing import Any

import pytest


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test instead of reaching a real provider."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("A provider test tried to use the network.")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
