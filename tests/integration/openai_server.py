"""A scripted OpenAI-compatible chat server on 127.0.0.1, for testing real HTTP clients.

Each model name has a queue of actions (``Reply``, ``Fail``, ``Stall``) served in order;
every request body is recorded so tests can check what the client actually sent. A
request for a model with nothing left in its queue is answered with a 500 and recorded
in ``unscripted``, which the fixture turns into a test failure.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    text: str
    logprobs: tuple[float, ...] | None = None
    finish_reason: str = "stop"
    prompt_tokens: int = 12
    completion_tokens: int | None = None  # default: one token per word
    usage: bool = True  # False: send no usage at all, like some providers do
    tool_calls: tuple[dict[str, Any], ...] = ()  # OpenAI's wire form: {"id", "type", "function"}
    # streaming: after the first word, wait for this to be set (or the server to stop)
    # before sending the rest, so a test can see the first word arrive on its own
    hold: threading.Event | None = None
    chunk_delay: float = 0.0  # streaming: seconds before each word after the first


@dataclass(frozen=True)
class Fail:
    status: int
    message: str = "scripted failure"


@dataclass(frozen=True)
class Stall:
    """Hold the request this long (or until the server stops), then answer 504."""

    seconds: float


Action = Reply | Fail | Stall

_ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 429: "rate_limit"}


class _Server(ThreadingHTTPServer):
    # The default listen backlog of 5 drops connections under load tests' bursts; the
    # client then waits out TCP's SYN retransmits (1 s, 3 s, 7 s, …) and times out.
    request_queue_size = 1024
    daemon_threads = True


class OpenAIServer:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.unscripted: list[str] = []
        self._scripts: defaultdict[str, deque[Action]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def script(self, model: str, *actions: Action) -> None:
        with self._lock:
            self._scripts[model].extend(actions)

    def requests_for(self, model: str) -> list[dict[str, Any]]:
        return [body for body in self.requests if body.get("model") == model]

    def start(self) -> OpenAIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _next_action(self, body: dict[str, Any], headers: dict[str, str]) -> Action | None:
        model = str(body.get("model"))
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            queue = self._scripts[model]
            if queue:
                return queue.popleft()
            self.unscripted.append(model)
            return None


def _handler_for(server: OpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's naming
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send_json(404, _error(404, f"no route {self.path}"))
                return
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            action = server._next_action(body, {k.lower(): v for k, v in self.headers.items()})
            try:
                self._serve(action, body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test); nothing left to answer

        def _serve(self, action: Action | None, body: dict[str, Any]) -> None:
            match action:
                case None:
                    model = body.get("model")
                    self._send_json(500, _error(500, f"nothing scripted for model {model!r}"))
                case Fail(status, message):
                    self._send_json(status, _error(status, message))
                case Stall(seconds):
                    server._stopping.wait(seconds)
                    self._send_json(504, _error(504, "stalled"))
                case Reply() if body.get("stream"):
                    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
                    self._send_stream(_chunks(action, str(body.get("model")), include_usage,
                                              bool(body.get("logprobs"))))
                case Reply():
                    self._send_json(200, _completion(action, str(body.get("model")), body))

        def _send_json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _send_stream(self, chunks: Iterator[dict[str, Any]]) -> None:
            # HTTP/1.0 without Content-Length: the body ends when the connection closes.
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for chunk in chunks:
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return Handler


def _error(status: int, message: str) -> dict[str, Any]:
    kind = _ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": None, "code": str(status)}}


def _completion_tokens(reply: Reply) -> int:
    if reply.completion_tokens is not None:
        return reply.completion_tokens
    return len(reply.text.split())


def _usage(reply: Reply) -> dict[str, int]:
    out = _completion_tokens(reply)
    return {
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": out,
        "total_tokens": reply.prompt_tokens + out,
    }


def _logprobs(reply: Reply) -> dict[str, Any] | None:
    if reply.logprobs is None:
        return None
    tokens = reply.text.split() or [""]
    content = [
        {"token": tokens[i % len(tokens)], "logprob": lp, "bytes": None, "top_logprobs": []}
        for i, lp in enumerate(reply.logprobs)
    ]
    return {"content": content}


def _completion(reply: Reply, model: str, body: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None, "refusal": None}
    if reply.tool_calls:
        message["tool_calls"] = list(reply.tool_calls)
    choice = {
        "index": 0,
        "message": message,
        "finish_reason": reply.finish_reason,
        "logprobs": _logprobs(reply) if body.get("logprobs") else None,
    }
    payload: dict[str, Any] = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [choice],
    }
    if reply.usage:
        payload["usage"] = _usage(reply)
    return payload


def _chunks(reply: Reply, model: str, include_usage: bool,
            logprobs: bool = False) -> Iterator[dict[str, Any]]:
    head = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
    }

    def chunk(delta: dict[str, Any], finish_reason: str | None = None,
              token: int | None = None) -> dict[str, Any]:
        choice: dict[str, Any] = {"index": 0, "delta": delta, "finish_reason": finish_reason}
        if token is not None and logprobs and reply.logprobs and token < len(reply.logprobs):
            choice["logprobs"] = {"content": [{"token": delta.get("content", ""), "logprob": reply.logprobs[token],
                                               "bytes": None, "top_logprobs": []}]}
        return {**head, "choices": [choice]}

    yield chunk({"role": "assistant", "content": ""})
    words = reply.text.split(" ") if reply.text else []
    for i, word in enumerate(words):
        if i == 1 and reply.hold is not None:
            reply.hold.wait(timeout=30)
        if i >= 1 and reply.chunk_delay:
            time.sleep(reply.chunk_delay)
        yield chunk({"content": word if i == len(words) - 1 else word + " "}, token=i)
    for index, call in enumerate(reply.tool_calls):  # the name first, then the arguments in two pieces
        function = call["function"]
        half = len(function["arguments"]) // 2
        yield chunk({"tool_calls": [{"index": index, "id": call["id"], "type": "function",
                                     "function": {"name": function["name"], "arguments": ""}}]})
        for piece in (function["arguments"][:half], function["arguments"][half:]):
            yield chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
    yield chunk({}, reply.finish_reason)
    if include_usage and reply.usage:
        yield {**head, "choices": [], "usage": _usage(reply)}
