"""The bytes written straight to a socket: a text frame any WebSocket client reads back, and what may use it."""

import pytest
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from notifier.ws.wire import direct_writer, text_frame


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536])
def test_a_text_frame_of_any_length_is_read_back_by_a_websocket_client(size: int) -> None:
    text = "é" * (size // 2) + "x" * (size % 2)
    reader = StreamReader()
    reader.feed_data(text_frame(text) + text_frame("next"))
    parse = Frame.parse(reader.read_exact, mask=False)
    try:
        next(parse)
    except StopIteration as done:
        frame = done.value
    assert (frame.opcode, frame.fin, frame.data.decode()) == (Opcode.TEXT, True, text)


def test_a_send_that_is_not_a_websockets_server_connection_gets_no_direct_writer() -> None:
    async def send(message: dict[str, str]) -> None: ...

    def wrapper() -> object:
        async def sender(message: dict[str, str]) -> None:
            await send(message)

        return sender

    assert direct_writer(None) is None
    assert direct_writer(send) is None
    assert direct_writer(wrapper()) is None
