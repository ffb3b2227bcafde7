"""The upstream client's settings: pooled connections expire before the services drop them; old settings are harmless."""

from __future__ import annotations

import pytest
import uvicorn

from gateway.settings import GatewaySettings, UpstreamClientSettings


def test_idle_upstream_connections_expire_before_the_service_closes_them() -> None:
    """A service run by uvicorn closes an idle keep-alive connection after `timeout_keep_alive` (5 s). A gateway
    that keeps it longer can send a request on it just as the service closes it: a 502 for a healthy service,
    which a benchmark saw after the gateway sat idle while 1,000 sockets connected. The race cannot be staged
    reliably in a test, so the invariant that rules it out is checked here (and that the session honours the setting,
    in tests/integration/test_upstream_session.py)."""
    service_idle_timeout = uvicorn.Config(app=None).timeout_keep_alive  # what every service runs with
    assert UpstreamClientSettings().keepalive_expiry_s < service_idle_timeout - 0.5


def test_settings_of_the_former_httpx_client_are_ignored_rather_than_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A deployment that still sets them must start: the gateway forwards with aiohttp only, which has no
    write timeout and no separate keep-alive cap."""
    monkeypatch.setenv("GATEWAY_CLIENT__TRANSPORT", "httpx")
    monkeypatch.setenv("GATEWAY_CLIENT__WRITE_TIMEOUT_S", "30")
    monkeypatch.setenv("GATEWAY_CLIENT__MAX_KEEPALIVE", "64")
    monkeypatch.setenv("GATEWAY_CLIENT__READ_TIMEOUT_S", "12")

    client = GatewaySettings().client

    assert client.read_timeout_s == 12
