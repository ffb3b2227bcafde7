"""bench.wrk: the Lua it writes, the summary it parses, and (where wrk is installed) a bounded run."""

from __future__ import annotations

import socket

import pytest
from aiohttp import web

from bench import wrk


def test_the_summary_line_parses_into_numbers_and_statuses() -> None:
    out = "Running 1s test\nWRK requests=120 seconds=1.500 p50=2.125 p95=9.000 p99=12.500 socket_errors=1 " \
          "timeouts=0 statuses=201:118,409:2 duplicates=0 bad=0\nRequests/sec: 80\n"  # fmt: skip
    summary = wrk.parse(out)
    assert summary["requests"] == 120 and summary["seconds"] == 1.5 and summary["p99"] == 12.5
    assert summary["statuses"] == {201: 118, 409: 2} and summary["socket_errors"] == 1


def test_a_run_without_a_summary_line_is_an_error_not_a_row() -> None:
    with pytest.raises(RuntimeError, match="no summary"):
        wrk.parse("x.lua:2: '}' expected near ']'\nRunning 5s test\n")


def test_lua_long_strings_hold_any_text() -> None:
    assert wrk.lua_string("Bearer abc") == "[[Bearer abc]]"
    assert wrk.lua_string('a]]b"c') == '[=[a]]b"c]=]'
    assert wrk.lua_string("]]]=]") == "[==[]]]=]]==]"
    assert wrk.lua_string("ends with]") == "[=[ends with]]=]"  # "[[ends with]]]" would close one too early


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.skipif(wrk.available() is None, reason="wrk is not installed (Debian's package wrk)")
async def test_a_run_stops_at_its_budget_and_counts_every_answer() -> None:
    seen: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization", ""))
        if len(seen) % 10 == 0:
            return web.json_response({"detail": "no"}, status=409)
        return web.json_response({"number": f"ORD-{len(seen)}", "line_count": 1}, status=201)

    async def scenario() -> tuple[dict, dict]:
        app = web.Application()
        app.router.add_post("/api/orders", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        port = _free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            script = wrk.orders_script(
                "/api/orders", {"Authorization": "Bearer t]]k]"}, ["p1", "p2", "p3", "p4"], ["c"]
            )
            return await wrk.run_wrk(
                "orders", f"http://127.0.0.1:{port}/api/orders", script, connections=4, duration_s=5,
                requests=200, ok=(201,),
            )  # fmt: skip
        finally:
            await runner.cleanup()

    row, summary = await scenario()
    answered = sum(summary["statuses"].values())
    assert 200 <= answered <= 200 + 4  # each thread stops at its share; answers in flight still come
    assert len(seen) >= answered  # a thread stops at its share; answers still in flight are not counted
    refused = summary["statuses"].get(409, 0)  # every tenth request the server saw
    assert summary["statuses"][201] + refused == answered and abs(refused - answered // 10) <= 4
    assert row["errors"] == refused and row["loadgen"] == "wrk"
    assert summary["duplicates"] == 0 and summary["bad"] == 0
    assert summary["seconds"] < 2.5  # the run ended at the last thread's stop, not when -d (5 s) ran out
    assert set(seen) == {"Bearer t]]k]"}
