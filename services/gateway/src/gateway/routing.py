"""The routing table: which service owns a path. The most specific rule (most segments, literals before
`{placeholders}`) wins, so `/api/customers/{id}/orders` goes to orders while `/api/customers/{id}` stays in catalog.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gateway.settings import RouteRule


@dataclass(frozen=True, slots=True)
class Route:
    path: str  # the rule's prefix; also the route label in metrics
    service: str
    segments: tuple[str | None, ...]  # None matches any one segment

    def matches(self, parts: list[str]) -> bool:
        if len(parts) < len(self.segments):
            return False
        for want, got in zip(self.segments, parts, strict=False):
            if want is not None and want != got:
                return False
        return True


def _compile(rule: RouteRule) -> Route:
    raw = [s for s in rule.prefix.strip("/").split("/") if s]
    segments = tuple(None if s.startswith("{") and s.endswith("}") else s for s in raw)
    return Route(path=rule.prefix, service=rule.service, segments=segments)


def _specificity(route: Route) -> tuple[int, int]:
    literals = sum(1 for s in route.segments if s is not None)
    return (len(route.segments), literals)


class RouteTable:
    def __init__(self, rules: Iterable[RouteRule]) -> None:
        self.routes = sorted((_compile(r) for r in rules), key=_specificity, reverse=True)
        self.services = sorted({r.service for r in self.routes})

    def match(self, path: str) -> Route | None:
        """The owning route of `path`, or None. Paths with `.`/`..` segments never match."""
        parts = path.split("/")[1:]
        if "." in parts or ".." in parts:
            return None
        for route in self.routes:
            if route.matches(parts):
                return route
        return None
