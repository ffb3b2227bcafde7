"""Calls to the owning services on behalf of a socket user (his own bearer token), over one pooled client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import orjson


@dataclass(frozen=True, slots=True)
class UpstreamAnswer:
    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class Upstreams:
    def __init__(self, base_urls: dict[str, str], timeout_s: float) -> None:
        self.base_urls = base_urls
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_s, connect=min(2.0, timeout_s)),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
        )

    async def call(self, service: str, method: str, path: str, token: str, body: dict[str, Any]) -> UpstreamAnswer:
        url = self.base_urls[service].rstrip("/") + path
        try:
            response = await self.client.request(
                method,
                url,
                content=orjson.dumps(body),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
        except httpx.TimeoutException:
            return UpstreamAnswer(504, {"title": "Upstream timeout", "detail": f"{service} did not answer in time"})
        except httpx.HTTPError:
            return UpstreamAnswer(502, {"title": "Upstream unreachable", "detail": f"{service} is unreachable"})
        try:
            parsed = orjson.loads(response.content) if response.content else {}
        except orjson.JSONDecodeError:
            parsed = {"title": "Upstream answered something that is not JSON"}
        return UpstreamAnswer(response.status_code, parsed)

    async def close(self) -> None:
        await self.client.aclose()
