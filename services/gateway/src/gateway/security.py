"""Security headers on every HTTP answer (pure ASGI, precomputed header tuples).

API answers get a CSP that allows nothing (`default-src 'none'`); the Swagger UI pages under /api-docs get one
that lets its own scripts, styles and the merged /openapi.json load from this origin only. HSTS is sent only
when the request came over TLS (the scheme, or `X-Forwarded-Proto: https` from the terminating proxy).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_CSP = b"default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = (
    b"default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    b"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]
OWN = frozenset({name for name, _ in COMMON} | {b"content-security-policy", HSTS[0]})


def _over_tls(scope: Scope) -> bool:
    if scope.get("scheme") == "https":
        return True
    for name, value in scope["headers"]:
        if name == b"x-forwarded-proto":
            return value.split(b",")[0].strip().lower() == b"https"
    return False


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, docs_prefix: str = "/api-docs") -> None:
        self.app = app
        self.docs_prefix = docs_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ours = [*COMMON, (b"content-security-policy", DOCS_CSP if self._is_docs(scope["path"]) else API_CSP)]
        if _over_tls(scope):
            ours.append(HSTS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", ()) if k.lower() not in OWN]
                message["headers"] = kept + ours
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _is_docs(self, path: str) -> bool:
        return path == self.docs_prefix or path.startswith(self.docs_prefix + "/")
