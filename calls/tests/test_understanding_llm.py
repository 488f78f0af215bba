"""The optional LLM backend, against a fake OpenAI-compatible server on 127.0.0.1 (a random port)."""

import json
import logging
import threading
import time
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from calls.understanding import INTENTS, understand

TODAY = date(2026, 11, 21)
UTTERANCE = "main parso paanch hazaar de dunga"


class _FakeServer:
    """Answers POST /v1/chat/completions with the canned reply set on it; records each request."""

    def __init__(self) -> None:
        self.reply: tuple[int, str] = (200, "")
        self.delay = 0.0
        self.requests: list[tuple[str, dict, dict]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers["Content-Length"])
                fake.requests.append((self.path, dict(self.headers), json.loads(self.rfile.read(length))))
                time.sleep(fake.delay)
                status, body = fake.reply
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(body.encode())
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, content: str) -> None:
        self.reply = (200, json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]}))


@pytest.fixture
def llm_server(settings):
    fake = _FakeServer()
    settings.UNDERSTANDING_BACKEND = "llm"
    settings.UNDERSTANDING_LLM_URL = fake.url
    settings.UNDERSTANDING_LLM_MODEL = "local-model"
    settings.UNDERSTANDING_LLM_API_KEY = "secret-key-123"
    settings.UNDERSTANDING_LLM_TIMEOUT_SECONDS = 0.5
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def test_the_rules_are_the_default_and_need_no_server(settings):
    assert settings.UNDERSTANDING_BACKEND == "rules"
    assert understand(UTTERANCE, lang="hi", today=TODAY).backend == "rules"


def test_a_valid_answer_is_used_and_the_request_has_the_agreed_shape(llm_server):
    llm_server.answer(json.dumps({"intent": "promise_to_pay", "date": "2026-11-23", "amount": "5000"}))
    result = understand(UTTERANCE, lang="hi", today=TODAY)
    assert (result.backend, result.intent, result.date, result.amount) == (
        "llm",
        "promise_to_pay",
        date(2026, 11, 23),
        Decimal("5000"),
    )
    path, headers, body = llm_server.requests[0]
    assert path == "/v1/chat/completions"
    assert headers["Authorization"] == "Bearer secret-key-123"
    assert body["model"] == "local-model"
    assert body["messages"][0]["role"] == "system" and "2026-11-21" in body["messages"][0]["content"]
    assert body["messages"][1] == {"role": "user", "content": UTTERANCE}
    response_format = body["response_format"]
    assert response_format["type"] == "json_schema"
    schema = response_format["json_schema"]["schema"]
    assert schema["properties"]["intent"]["enum"] == list(INTENTS)
    assert set(schema["required"]) == {"intent", "date", "amount"}


@pytest.mark.parametrize(
    "content",
    [
        "not json at all",
        json.dumps({"intent": "pay_soon", "date": None, "amount": None}),
        json.dumps({"intent": "promise_to_pay", "date": "23/11/2026", "amount": None}),
        json.dumps({"intent": "promise_to_pay", "date": None, "amount": "five thousand"}),
        json.dumps(["promise_to_pay"]),
    ],
)
def test_bad_or_out_of_schema_answers_fall_back_to_the_rules(llm_server, content, caplog):
    llm_server.answer(content)
    with caplog.at_level(logging.WARNING, logger="calls.understanding.llm"):
        result = understand(UTTERANCE, lang="hi", today=TODAY)
    assert (result.backend, result.intent, result.amount) == ("rules", "promise_to_pay", Decimal("5000"))
    assert UTTERANCE not in caplog.text and "secret-key-123" not in caplog.text
    assert caplog.records


def test_a_server_error_falls_back_to_the_rules(llm_server, caplog):
    llm_server.reply = (500, '{"error": "boom"}')
    with caplog.at_level(logging.WARNING, logger="calls.understanding.llm"):
        result = understand(UTTERANCE, lang="hi", today=TODAY)
    assert result.backend == "rules"
    assert "500" in caplog.text and UTTERANCE not in caplog.text and "secret-key-123" not in caplog.text


def test_a_timeout_falls_back_to_the_rules_quickly(llm_server):
    llm_server.answer(json.dumps({"intent": "yes", "date": None, "amount": None}))
    llm_server.delay = 1.5
    started = time.perf_counter()
    result = understand(UTTERANCE, lang="hi", today=TODAY)
    assert result.backend == "rules"
    assert time.perf_counter() - started < 1.2


def test_an_unreachable_server_falls_back_to_the_rules(settings):
    settings.UNDERSTANDING_BACKEND = "llm"
    settings.UNDERSTANDING_LLM_URL = "http://127.0.0.1:9"
    settings.UNDERSTANDING_LLM_TIMEOUT_SECONDS = 0.5
    assert understand(UTTERANCE, lang="hi", today=TODAY).backend == "rules"
