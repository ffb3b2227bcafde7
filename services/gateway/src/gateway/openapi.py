"""One OpenAPI document for the whole system, merged from every service's `/openapi.json`.

Paths are kept only where the routing table sends them to the service that documents them. Components of
the same name and the same definition are shared; a name whose definitions differ is prefixed with the
service (`orders_ItemOut`) and that service's `$ref`s are rewritten. A service that does not answer is left
out and named in `x-unavailable`. The result is cached for `openapi_cache_s` (a partial one for 5 s at most).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import orjson

from gateway.routing import RouteTable
from gateway.upstream import UPSTREAM_ERRORS

PARTIAL_TTL_S = 5.0
BEARER = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


def merge(
    docs: dict[str, dict[str, Any]],
    table: RouteTable,
    unavailable: list[str],
    public: frozenset[tuple[str, str]] = frozenset(),
) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    components: dict[str, dict[str, Any]] = {"securitySchemes": {"bearerAuth": BEARER}}
    tags: dict[str, Any] = {}
    for service in sorted(docs):
        doc = docs[service]
        refs = _renames(service, doc.get("components", {}), components)
        if refs:
            doc = _rewrite_refs(doc, refs)
        for section, entries in doc.get("components", {}).items():
            target = components.setdefault(section, {})
            for name, value in entries.items():
                target.setdefault(name, value)
        for path, item in doc.get("paths", {}).items():
            route = table.match(path)
            if route is not None and route.service == service:
                paths[path] = _with_security(path, item, public)
        for tag in doc.get("tags", []):
            tags.setdefault(tag.get("name"), tag)
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "SalesSync API", "version": "1.0.0", "description": "Every service, through the gateway."},
        "paths": dict(sorted(paths.items())),
        "components": components,
        "security": [{"bearerAuth": []}],
        "x-unavailable": sorted(unavailable),
    }
    if tags:
        merged["tags"] = list(tags.values())
    return merged


def _renames(service: str, theirs: dict[str, Any], ours: dict[str, dict[str, Any]]) -> dict[str, str]:
    """`$ref` rewrites for components whose name is taken by a different definition; renames in place."""
    refs: dict[str, str] = {}
    for section, entries in theirs.items():
        if section == "securitySchemes":  # referred to by name, not by $ref: first definition wins
            continue
        taken = ours.get(section, {})
        for name in list(entries):
            if name in taken and taken[name] != entries[name]:
                new = f"{service}_{name}"
                while new in taken or new in entries:
                    new += "_"
                refs[f"#/components/{section}/{name}"] = f"#/components/{section}/{new}"
    if not refs:
        return refs
    for old, new in refs.items():
        section, name, new_name = old.split("/")[2], old.split("/")[3], new.split("/")[3]
        theirs[section][new_name] = theirs[section].pop(name)
    return refs


def _rewrite_refs(node: Any, refs: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {
            k: (refs.get(v, v) if k == "$ref" and isinstance(v, str) else _rewrite_refs(v, refs))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(v, refs) for v in node]
    return node


def _with_security(path: str, item: dict[str, Any], public: frozenset[tuple[str, str]]) -> dict[str, Any]:
    """Public operations say `security: []` so Swagger UI sends them without a token."""
    out = dict(item)
    for method, operation in item.items():
        if isinstance(operation, dict) and (method.upper(), path) in public:
            out[method] = {**operation, "security": []}
    return out


class MergedOpenAPI:
    def __init__(
        self,
        table: RouteTable,
        upstreams: dict[str, str],
        *,
        ttl_s: float,
        timeout_s: float,
        public: frozenset[tuple[str, str]] = frozenset(),
    ) -> None:
        self.table = table
        self.upstreams = {s: upstreams[s].rstrip("/") for s in table.services if s in upstreams}
        self.ttl_s = ttl_s
        self.timeout_s = timeout_s
        self.public = public
        self._cached: tuple[float, bytes] | None = None
        self._lock = asyncio.Lock()

    async def document(self, session: aiohttp.ClientSession) -> bytes:
        cached = self._cached
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        async with self._lock:
            cached = self._cached
            if cached is not None and cached[0] > time.monotonic():
                return cached[1]
            names = sorted(self.upstreams)
            results = await asyncio.gather(*(self._fetch(session, n) for n in names))
            docs = {n: d for n, d in zip(names, results, strict=True) if d is not None}
            unavailable = [n for n, d in zip(names, results, strict=True) if d is None]
            body = orjson.dumps(merge(docs, self.table, unavailable, self.public))
            ttl = self.ttl_s if not unavailable else min(self.ttl_s, PARTIAL_TTL_S)
            self._cached = (time.monotonic() + ttl, body)
            return body

    async def _fetch(self, session: aiohttp.ClientSession, service: str) -> dict[str, Any] | None:
        timeout = aiohttp.ClientTimeout(total=self.timeout_s)
        try:
            async with session.get(f"{self.upstreams[service]}/openapi.json", timeout=timeout) as response:
                if response.status != 200:
                    return None
                body = await response.read()
        except UPSTREAM_ERRORS:
            return None
        try:
            doc = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        return doc if isinstance(doc, dict) else None
