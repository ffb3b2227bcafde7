"""The plain NATS header parser gives nats-py what its e-mail parser gave, for the headers NATS sends."""

from __future__ import annotations

import inspect
from email.parser import BytesParser

import pytest
from nats.aio.client import Client

from salessync.nats import PlainHeaderParser, use_plain_header_parser

BLOCKS = [
    b"Nats-Msg-Id: 0b7a1d7e-8c61-4c61-9a59-6f0ad1c7a8e1\r\n\r\n",
    b"Nats-Msg-Id: 1\r\nNats-Expected-Stream: SALESSYNC\r\nX-Trace:  spaced value \r\n\r\n",
    b"Nats-Last-Consumer: 1016\r\nNats-Last-Stream: 1024\r\n\r\n",  # after a heartbeat's status line
    b"Nats-Consumer-Stalled: $JS.FC.SALESSYNC.abc.def\r\n\r\n",
    b"A: 1\r\nA: 2\r\n\r\n",  # a repeated name: the last one, as nats-py's dict comprehension kept
    b"Url: http://127.0.0.1:4222/x?y=1:2\r\n\r\n",  # only the first colon separates
]


def email_parser_view(raw: bytes) -> dict[str, str]:
    """Exactly what nats-py builds from its e-mail parser."""
    return {k.strip(): v.strip() for k, v in BytesParser().parsebytes(raw).items()}


@pytest.mark.parametrize("raw", BLOCKS)
def test_the_same_headers_as_the_email_parser(raw: bytes) -> None:
    plain = PlainHeaderParser().parsebytes(raw)
    assert {k.strip(): v.strip() for k, v in plain.items()} == email_parser_view(raw)


def test_lines_without_a_name_or_a_colon_are_skipped() -> None:
    assert PlainHeaderParser().parsebytes(b"no colon here\r\n: no name\r\nB: 2\r\n\r\n") == {"B": "2"}
    assert PlainHeaderParser().parsebytes(b"\r\n") == {}


def test_nats_py_still_parses_headers_with_the_attribute_we_replace() -> None:
    """If an upgrade of nats-py moves its parser, this fails (the shim would silently stop working)."""
    assert "self._hdr_parser.parsebytes" in inspect.getsource(Client._process_headers)
    client = Client()
    use_plain_header_parser(client)
    assert isinstance(client._hdr_parser, PlainHeaderParser)
