"""Identity's app: routes, the signing keys loaded at start-up, and the 429 answer of the login throttle."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI, Request
from fastapi.responses import Response

from identity.adapters.passwords import PasswordHasher
from identity.adapters.tokens import AccessTokens
from identity.api import auth, users
from identity.domain.errors import LoginThrottled
from identity.service_layer.auth import housekeeping
from identity.service_layer.context import Identity
from identity.settings import IdentitySettings
from salessync.app import Runtime, create_service_app
from salessync.web import problem

log = logging.getLogger("identity")


def create_app(settings: IdentitySettings | None = None) -> FastAPI:
    settings = settings or IdentitySettings()
    app: FastAPI

    async def on_startup(runtime: Runtime) -> None:
        tokens = AccessTokens(runtime.db, settings)
        await tokens.start()
        hasher = PasswordHasher(settings.password)
        await hasher.verify(None, "")  # makes the dummy hash now, not during the first failed login
        runtime.extras["identity"] = Identity(runtime.db, settings, hasher, tokens)
        # Identity verifies its own tokens from its own key table, not over HTTP to itself.
        runtime.verifier = tokens.verifier
        app.state.verifier = tokens.verifier
        runtime.tasks.append(
            asyncio.create_task(_housekeeping(runtime.extras["identity"]), name="identity-housekeeping")
        )

    app = create_service_app(
        settings,
        title="SalesSync identity",
        description="Tenants, users, roles, login and tokens.",
        routers=[auth.router, users.router],
        on_startup=on_startup,
    )
    app.add_exception_handler(LoginThrottled, _throttled)
    return app


async def _throttled(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginThrottled)
    return problem(
        429,
        exc.title,
        exc.detail,
        type_=f"/problems/{exc.code}",
        instance=request.url.path,
        headers={"Retry-After": str(exc.retry_after_s)},
        code=exc.code,
        retry_after=exc.retry_after_s,
    )


async def _housekeeping(ident: Identity) -> None:
    while True:
        await asyncio.sleep(ident.settings.tokens.key_reload_s)
        try:
            await housekeeping(ident)
        except Exception as exc:
            log.warning("housekeeping failed: %s", exc)
