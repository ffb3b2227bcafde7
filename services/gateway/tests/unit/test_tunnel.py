"""The byte tunnel's own logic, with fake transports: frame boundaries under any chunking, flow control both
ways, and what a client is told when the notifier's side ends."""

from __future__ import annotations

import struct
from typing import Any

import pytest

from gateway.tunnel import FrameBoundaries, WebSocketTunnel, accept_key, close_frame

HEAD = b"HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n"


def frame(opcode: int, payload: bytes, masked: bool = False) -> bytes:
    size = len(payload)
    mask_bit = 0x80 if masked else 0
    if size < 126:
        header = bytes((0x80 | opcode, mask_bit | size))
    elif size < 65536:
        header = struct.pack("!BBH", 0x80 | opcode, mask_bit | 126, size)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, mask_bit | 127, size)
    return header + (b"\x00\x00\x00\x00" if masked else b"") + payload


STREAM = HEAD + frame(1, b"a" * 10) + frame(1, b"") + frame(2, b"b" * 300) + frame(1, b"c" * 70_000) + frame(9, b"p")


def boundaries_after(stream: bytes, cuts: list[int]) -> FrameBoundaries:
    tracker = FrameBoundaries()
    last = 0
    for cut in [*cuts, len(stream)]:
        tracker.feed(stream[last:cut])
        last = cut
    return tracker


@pytest.mark.parametrize("step", [1, 2, 3, 7, 13, 100, 4096, len(STREAM)])
def test_frames_are_followed_whatever_the_chunking(step: int) -> None:
    tracker = boundaries_after(STREAM, list(range(step, len(STREAM), step)))
    assert tracker.upgraded is True
    assert tracker.at_boundary
    assert not tracker.closed_by_server


@pytest.mark.parametrize(
    ("stream", "at_boundary"),
    [
        (HEAD + frame(1, b"x" * 300)[:5], False),  # inside a 16-bit length
        (HEAD + frame(1, b"x" * 300)[:-1], False),  # one payload byte to come
        (HEAD + frame(1, b"x" * 70_000)[:9], False),  # inside a 64-bit length
        (HEAD + b"\x81", False),  # half a header
        (HEAD, True),
        (HEAD[:-2], False),  # the HTTP head is not complete: no frames yet
    ],
)
def test_a_partial_frame_is_not_a_boundary(stream: bytes, at_boundary: bool) -> None:
    assert boundaries_after(stream, []).at_boundary is at_boundary


def test_a_close_frame_from_the_server_is_noticed() -> None:
    tracker = boundaries_after(HEAD + frame(1, b"x") + close_frame(4401, "bad token"), [len(HEAD) + 1])
    assert tracker.closed_by_server


def test_a_refused_upgrade_is_passed_through_without_frame_counting() -> None:
    tracker = boundaries_after(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 2\r\n\r\nno", [])
    assert tracker.upgraded is False
    assert not tracker.at_boundary


def test_the_accept_key_is_the_one_of_rfc_6455() -> None:
    assert accept_key(b"dGhlIHNhbXBsZSBub25jZQ==") == b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


class FakeTransport:
    def __init__(self) -> None:
        self.written = bytearray()
        self.closed = False
        self.reading = True

    def write(self, data: bytes) -> None:
        self.written += data

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True

    def get_extra_info(self, name: str) -> Any:
        return ("127.0.0.1", 50000) if name == "peername" else None


class FakeServerState:
    def __init__(self) -> None:
        self.connections: set[Any] = set()
        self.tasks: set[Any] = set()


def open_tunnel() -> tuple[WebSocketTunnel, FakeTransport, FakeTransport]:
    tunnel = WebSocketTunnel(config=None, server_state=FakeServerState(), app_state={})
    client, upstream = FakeTransport(), FakeTransport()
    tunnel.connection_made(client)  # type: ignore[arg-type]
    tunnel.upstream = upstream  # type: ignore[assignment]
    return tunnel, client, upstream


def test_bytes_are_copied_both_ways_unchanged() -> None:
    tunnel, client, upstream = open_tunnel()
    tunnel.data_received(frame(1, b"from the client", masked=True))
    tunnel.from_upstream(HEAD + frame(1, b"from the notifier"))
    assert bytes(upstream.written) == frame(1, b"from the client", masked=True)
    assert bytes(client.written) == HEAD + frame(1, b"from the notifier")


def test_a_client_that_does_not_read_stops_the_reading_of_the_notifier() -> None:
    tunnel, _, upstream = open_tunnel()
    tunnel.pause_writing()
    assert not upstream.reading
    tunnel.resume_writing()
    assert upstream.reading


def test_a_notifier_that_does_not_read_stops_the_reading_of_the_client() -> None:
    tunnel, client, _ = open_tunnel()
    tunnel.pause_client()
    assert not client.reading
    tunnel.resume_client()
    assert client.reading


def test_a_notifier_lost_between_frames_is_a_1012_for_the_client() -> None:
    tunnel, client, _ = open_tunnel()
    tunnel.from_upstream(HEAD + frame(1, b"x"))
    before = len(client.written)
    tunnel.upstream_lost()
    assert bytes(client.written[before:]) == close_frame(1012, "notifier connection lost")
    assert client.closed


def test_a_notifier_that_closed_properly_adds_nothing() -> None:
    tunnel, client, _ = open_tunnel()
    tunnel.from_upstream(HEAD + close_frame(1000, "bye"))
    before = len(client.written)
    tunnel.upstream_lost()
    assert len(client.written) == before
    assert client.closed


def test_a_notifier_lost_inside_a_frame_only_closes_the_connection() -> None:
    tunnel, client, _ = open_tunnel()
    tunnel.from_upstream(HEAD + frame(1, b"x" * 300)[:50])
    before = len(client.written)
    tunnel.upstream_lost()
    assert len(client.written) == before  # a close frame here would corrupt the half-sent frame
    assert client.closed


def test_the_client_leaving_closes_the_notifier_side() -> None:
    tunnel, _, upstream = open_tunnel()
    tunnel.connection_lost(None)
    assert upstream.closed


async def test_before_the_lifespan_ran_the_tunnel_answers_503_and_without_a_notifier_404() -> None:
    head = b"GET /ws HTTP/1.1\r\nhost: gw\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n"
    for app_state, status in (({}, b"503"), ({"ws_tunnel": None}, b"404")):
        tunnel = WebSocketTunnel(config=None, server_state=FakeServerState(), app_state=app_state)
        client = FakeTransport()
        tunnel.connection_made(client)  # type: ignore[arg-type]
        await tunnel._open(head)
        assert bytes(client.written).startswith(b"HTTP/1.1 " + status)
        assert client.closed
