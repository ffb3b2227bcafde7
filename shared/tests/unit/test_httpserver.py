"""The services' HTTP protocol: uvicorn's own, with an answer's head and body in one send.

Driven through uvicorn's real parser and request cycle with a transport that records its writes."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.applications import Starlette
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from uvicorn.config import Config
from uvicorn.server import ServerState

from salessync.httpserver import HttpProtocol, OneSendPerTurn


class RecordingTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False
        self.aborted = False

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = self.closed = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def plain(request: Any) -> Response:
    return Response(b'{"ok":true}', media_type="application/json")


async def slow_stream(request: Any) -> StreamingResponse:
    async def chunks() -> Any:
        await asyncio.sleep(0.05)
        yield b"late"

    return StreamingResponse(chunks(), media_type="text/plain")


APP = Starlette(routes=[Route("/plain", plain), Route("/stream", slow_stream)])


async def exchange(request: bytes, settle_s: float = 0.2) -> RecordingTransport:
    config = Config(app=APP, http=HttpProtocol, lifespan="off", log_level="warning")
    config.load()
    protocol = HttpProtocol(config=config, server_state=ServerState(), app_state={}, _loop=asyncio.get_running_loop())
    transport = RecordingTransport()
    protocol.connection_made(transport)
    protocol.data_received(request)
    await asyncio.sleep(settle_s)
    protocol.connection_lost(None)
    return transport


async def test_an_answers_head_and_body_leave_in_one_write() -> None:
    transport = await exchange(b"GET /plain HTTP/1.1\r\nHost: x\r\n\r\n")
    assert len(transport.writes) == 1
    head, _, body = transport.writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK") and b"content-length: 11" in head
    assert body == b'{"ok":true}'


async def test_two_pipelined_requests_get_two_whole_answers_in_order() -> None:
    transport = await exchange(b"GET /plain HTTP/1.1\r\nHost: x\r\n\r\nGET /plain HTTP/1.1\r\nHost: x\r\n\r\n")
    answers = b"".join(transport.writes).split(b"HTTP/1.1 200 OK")
    assert answers[0] == b"" and len(answers) == 3 and all(a.endswith(b'{"ok":true}') for a in answers[1:])


async def test_a_head_whose_body_comes_later_is_not_held_back() -> None:
    """A streamed body that takes a while: the head goes out at the end of its own turn, the body when it comes."""
    transport = await exchange(b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
    assert transport.writes[0].startswith(b"HTTP/1.1 200 OK") and transport.writes[0].endswith(b"\r\n\r\n")
    assert b"late" in b"".join(transport.writes[1:])


async def test_connection_close_sends_the_answer_before_closing() -> None:
    transport = await exchange(b"GET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert transport.closed and transport.writes[0].endswith(b'{"ok":true}')


async def test_a_malformed_request_after_an_answer_is_refused_after_that_answer() -> None:
    transport = await exchange(b"GET /plain HTTP/1.1\r\nHost: x\r\n\r\nNOT HTTP AT ALL\r\n\r\n", settle_s=0)
    await asyncio.sleep(0.1)
    sent = b"".join(transport.writes)
    assert sent.startswith(b"HTTP/1.1 ") and transport.closed


async def test_writes_of_one_turn_are_joined_and_nothing_is_written_to_a_closing_transport() -> None:
    transport = RecordingTransport()
    sends = OneSendPerTurn(transport, asyncio.get_running_loop())
    sends.write(b"a")
    sends.write(b"")
    sends.write(b"b")
    assert transport.writes == []
    await asyncio.sleep(0)
    assert transport.writes == [b"ab"]
    sends.write(b"c")
    sends.close()  # flushes first
    assert transport.writes == [b"ab", b"c"] and transport.closed
    sends.write(b"d")
    await asyncio.sleep(0)
    assert transport.writes == [b"ab", b"c"]


async def test_abort_drops_what_is_pending() -> None:
    transport = RecordingTransport()
    sends = OneSendPerTurn(transport, asyncio.get_running_loop())
    sends.write(b"x")
    sends.abort()
    await asyncio.sleep(0)
    assert transport.writes == [] and transport.aborted
