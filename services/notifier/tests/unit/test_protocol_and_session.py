"""Frame parsing, and a session's switch from replay to live without gaps or duplicates."""

import enum
import uuid

import orjson
import pytest

from notifier.ws.protocol import BadFrame, parse_client_frame
from notifier.ws.session import Session
from notifier.ws.wire import text_frame
from salessync.auth import Principal
from salessync.testing.helpers import eventually


@pytest.mark.parametrize(
    ("text", "ref"),
    [("{", None), ("[1]", None), ('{"data": {}}', None), ('{"event": "x", "ref": "r", "data": 5}', "r")],
)
def test_a_malformed_frame_is_refused_keeping_its_ref_when_readable(text: str, ref: object) -> None:
    with pytest.raises(BadFrame) as caught:
        parse_client_frame(text)
    assert caught.value.ref == ref


def test_a_frame_without_data_has_empty_data() -> None:
    frame = parse_client_frame('{"event": "chat:message", "ref": 7}')
    assert (frame.event, frame.ref, frame.data) == ("chat:message", 7, {})


class FakeSocket:
    def __init__(self) -> None:
        self.sent: list[str] = []
        self.closed_with: int | None = None

    async def _send(self, message: dict[str, str]) -> None:
        self.sent.append(message["text"])

    async def close(self, code: int, reason: str = "") -> None:
        self.closed_with = code


def a_session(socket: object, queue_size: int = 100) -> Session:
    principal = Principal(uuid.uuid4(), uuid.uuid4(), "manager", expires_at=2**40)
    return Session(socket, principal, "t", queue_size=queue_size, replay_max=50)  # type: ignore[arg-type]


async def test_live_frames_held_during_replay_are_sent_after_it_without_duplicates() -> None:
    socket = FakeSocket()
    session = a_session(socket)
    session.begin_replay(10)
    session.deliver(12, ["live-12"])  # arrives live while the replay runs
    session.deliver(13, ["live-13"])
    await session.deliver_replayed(11, ["replay-11"])
    await session.deliver_replayed(12, ["replay-12"])
    session.end_replay()
    session.deliver(13, ["again-13"])
    assert [session.queue.get_nowait() for _ in range(session.queue.qsize())] == ["replay-11", "replay-12", "live-13"]


async def test_a_client_whose_queue_is_full_is_disconnected_with_1013() -> None:
    socket = FakeSocket()
    session = a_session(socket, queue_size=8)
    for seq in range(1, 10):
        session.deliver(seq, [orjson.dumps({"n": seq}).decode()])
    assert session.closed
    await session.wait_closed()
    assert socket.closed_with == 1013


class State(enum.Enum):
    OPEN = 1
    CLOSED = 3


class FakeTransport:
    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.buffered = 0

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def is_closing(self) -> bool:
        return False


class FakeServerConnection:
    """What uvicorn's `websockets` protocol exposes behind the ASGI send."""

    is_client = False

    def __init__(self) -> None:
        self.transport = FakeTransport()
        self.state = State.OPEN
        self.extensions: list[object] = []
        self.sent: list[str] = []
        self.closed_with: int | None = None

    def write_frame_sync(self, fin: bool, opcode: int, data: bytes) -> None: ...

    async def asgi_send(self, message: dict[str, str]) -> None:
        self.sent.append(message["text"])


class ServerSocket:
    def __init__(self, connection: FakeServerConnection) -> None:
        self.connection = connection
        self._send = connection.asgi_send

    async def close(self, code: int, reason: str = "") -> None:
        self.connection.closed_with = code


async def test_live_frames_are_written_once_encoded_and_never_ahead_of_frames_still_queued() -> None:
    connection = FakeServerConnection()
    session = a_session(ServerSocket(connection))  # type: ignore[arg-type]
    session.start(4401)
    session.send("control")  # queued for the writer, not yet sent
    session.deliver(1, ["live-1"])  # behind it: queued too
    assert connection.transport.written == []

    async def writer_sent_both() -> bool:
        return connection.sent == ["control", "live-1"]

    await eventually(writer_sent_both)
    session.deliver(2, ["live-2", "activity-2"], text_frame("live-2") + text_frame("activity-2"))
    assert connection.transport.written == [text_frame("live-2") + text_frame("activity-2")]
    session.close(1000)
    await session.wait_closed()


async def test_a_client_whose_transport_holds_too_many_bytes_is_disconnected_with_1013() -> None:
    connection = FakeServerConnection()
    session = a_session(ServerSocket(connection), queue_size=8)
    session.start(4401)
    connection.transport.buffered = session.max_buffered + 1
    session.deliver(1, ["live-1"])
    assert session.closed and connection.transport.written == []
    await session.wait_closed()
    assert connection.closed_with == 1013
