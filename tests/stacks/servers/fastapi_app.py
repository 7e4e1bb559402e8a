"""FastAPI + sse-starlette under uvicorn: the stack-test contract (see stacks.test.mjs).

Written the way a FastAPI app streams: generators handed to
``EventSourceResponse``, its own keep-alive ``ping``, ``HTTPException`` for
errors and Starlette's ``CORSMiddleware``. Run with the venv's python; binds a
free port on 127.0.0.1 itself and prints ``READY <port>`` once the app has started.
"""

import asyncio
import json
import os
import socket
import time
from contextlib import asynccontextmanager
from importlib.metadata import version
from pathlib import Path

import uvicorn
from fastapi import FastAPI, HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from sse_starlette.sse import EventSourceResponse

CHAT = json.loads((Path(__file__).parent / "chat.json").read_text(encoding="utf-8"))
TOKEN = "Bearer stack-test-token"
# A pause before a deliberate drop, so that the bytes already written reach the
# client before the connection goes (Chromium may discard bytes that arrive in
# the same tick as the reset).
PAUSE_BEFORE_DROP_S = 0.15


class Run:
    """What the server saw of one test run (named by the `run` query parameter)."""

    def __init__(self):
        self.requests = []
        self.sent = 0
        self.closed = asyncio.Event()
        self.acks = asyncio.Queue()

    def record(self, request: Request):
        self.requests.append(
            {
                "lastEventId": request.headers.get("last-event-id"),
                "authorization": request.headers.get("authorization"),
                "acceptEncoding": request.headers.get("accept-encoding"),
                "atMs": time.monotonic() * 1000,
            }
        )

    def report(self):
        return {"requests": self.requests, "sent": self.sent, "closed": self.closed.is_set()}


runs: dict[str, Run] = {}


def run_of(name: str) -> Run:
    return runs.setdefault(name, Run())


class DeliberateDrop(Exception):
    """Raised mid-stream: uvicorn then closes the connection without ending the
    chunked body, as a crashed worker or a cut proxy connection does."""


@asynccontextmanager
async def lifespan(_app):
    print(f"READY {PORT}", flush=True)
    yield


app = FastAPI(lifespan=lifespan)
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_methods=["GET", "POST"],
    # `*` would not cover Authorization (the Fetch standard exempts it).
    allow_headers=["authorization", "content-type", "last-event-id"],
    expose_headers=["retry-after", "content-encoding"],
)


@app.get("/health")
async def health():
    return {"stack": "fastapi", "pid": os.getpid(), "versions": {p: version(p) for p in ("fastapi", "sse-starlette", "uvicorn", "starlette")}}


@app.get("/runs/{name}")
async def run_report(name: str):
    return run_of(name).report()


@app.get("/runs/{name}/closed")
async def run_closed(name: str):
    run = run_of(name)
    await run.closed.wait()
    return run.report()


@app.post("/runs/{name}/ack")
async def run_ack(name: str):
    run_of(name).acks.put_nowait(True)
    return Response(status_code=204)


def chunk(delta, finish_reason=None, usage=None):
    body = {
        "id": "chatcmpl-stack",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": CHAT["model"],
        "choices": [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }
    if usage is not None:
        body["usage"] = usage
    return {"data": json.dumps(body, ensure_ascii=False)}


@app.post("/v1/chat/completions")
async def chat(request: Request, run: str = ""):
    run_of(run).record(request)
    if request.headers.get("authorization") != TOKEN:
        raise HTTPException(status_code=401, detail="invalid bearer token", headers={"WWW-Authenticate": "Bearer"})
    body = await request.json()
    prompt = body["messages"][-1]["content"]

    async def answer():
        yield chunk({"role": "assistant", "content": ""})
        for piece in [f"You asked: {prompt}\n\n", *CHAT["pieces"]]:
            yield chunk({"content": piece})
        yield chunk({}, finish_reason="stop")
        yield chunk(None, usage={"prompt_tokens": 3, "completion_tokens": len(CHAT["pieces"]) + 1})
        yield {"data": "[DONE]"}

    return EventSourceResponse(answer())


@app.get("/numbered")
async def numbered(request: Request, run: str, count: int, dropAfter: int):
    record = run_of(run)
    record.record(request)
    last = request.headers.get("last-event-id")
    first = int(last) + 1 if last else 1

    async def events():
        for n in range(first, count + 1):
            yield {"id": str(n), "data": f"event {n}"}
            record.sent += 1
            if last is None and n == dropAfter:
                await asyncio.sleep(PAUSE_BEFORE_DROP_S)
                raise DeliberateDrop(f"dropping after event {n}")

    return EventSourceResponse(events())


@app.get("/quiet")
async def quiet(request: Request, run: str, silenceMs: int, pingMs: int):
    run_of(run).record(request)

    async def events():
        yield {"event": "first", "data": "before the silence"}
        await asyncio.sleep(silenceMs / 1000)
        yield {"event": "second", "data": "after the silence"}

    # sse-starlette's own keep-alive: a `: ping - <time>` comment; 0 disables it.
    return EventSourceResponse(events(), ping=pingMs / 1000)


@app.get("/endless")
async def endless(request: Request, run: str):
    record = run_of(run)
    record.record(request)

    async def events():
        try:
            while True:
                yield {"data": f"tick {record.sent}"}
                record.sent += 1
                await asyncio.sleep(0.05)
        finally:
            # sse-starlette cancels the generator when uvicorn reports the disconnect.
            record.closed.set()

    return EventSourceResponse(events())


@app.get("/fail")
async def fail(request: Request, run: str, status: int, retryAfter: str = ""):
    record = run_of(run)
    record.record(request)
    if len(record.requests) == 1:
        headers = {"Retry-After": retryAfter} if status == 429 else None
        raise HTTPException(status_code=status, detail=f"failing with {status}", headers=headers)

    async def recovered():
        yield {"data": "recovered"}

    return EventSourceResponse(recovered())


@app.get("/crash")
async def crash(request: Request, run: str):
    record = run_of(run)
    record.record(request)
    if len(record.requests) == 1:
        # Uncaught: Starlette's outermost ServerErrorMiddleware answers the 500,
        # outside CORSMiddleware.
        raise RuntimeError("the handler crashed")

    async def recovered():
        yield {"data": "recovered"}

    return EventSourceResponse(recovered())


@app.get("/acked")
async def acked(request: Request, run: str, count: int):
    record = run_of(run)
    record.record(request)

    async def events():
        for n in range(1, count + 1):
            yield {"id": str(n), "data": f"event {n}"}
            record.sent += 1
            if n < count:
                await record.acks.get()

    return EventSourceResponse(events())


if __name__ == "__main__":
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    # Listening before uvicorn starts, so that a client sent by the READY line
    # (printed at lifespan startup, before uvicorn serves) waits in the backlog.
    listener.listen(128)
    PORT = listener.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    uvicorn.Server(config).run(sockets=[listener])
