"""Client -> server events: each validated, authorised by role, run, and answered with `ack` or `error`.

`location:update` and `order:status` become commands on field and orders (with the user's own token, so
those services apply their own rules); `inventory:alert`, `sales:update` and `chat:message` are the
notifier's own commands, broadcast through the stream.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from notifier.adapters.upstream import UpstreamAnswer, Upstreams
from notifier.domain.routing import FIELD_ROLES
from notifier.service_layer import broadcasts
from notifier.ws import schemas
from notifier.ws.protocol import BadFrame, ack_frame, error_frame, parse_client_frame
from notifier.ws.session import Session
from salessync.auth import ROLES
from salessync.db import Database
from salessync.errors import DomainError
from salessync.web import field_path, status_for

log = logging.getLogger("notifier.ws")


@dataclass(frozen=True)
class Context:
    db: Database
    upstreams: Upstreams


Run = Callable[[Context, Session, Any], Awaitable[dict[str, Any] | UpstreamAnswer]]


@dataclass(frozen=True)
class ClientEvent:
    schema: type[BaseModel]
    roles: frozenset[str]
    run: Run


async def _location_update(ctx: Context, session: Session, data: schemas.LocationUpdateIn) -> UpstreamAnswer:
    body = data.model_dump(mode="json", exclude_none=True)
    return await ctx.upstreams.call("field", "POST", "/api/locations", session.token, body)


async def _order_status(ctx: Context, session: Session, data: schemas.OrderStatusIn) -> UpstreamAnswer:
    body = data.model_dump(mode="json", include={"status", "reason"}, exclude_none=True)
    return await ctx.upstreams.call("orders", "PATCH", f"/api/orders/{data.order_id}/status", session.token, body)


async def _inventory_alert(ctx: Context, session: Session, data: schemas.InventoryAlertIn) -> dict[str, Any]:
    return await broadcasts.raise_inventory_alert(
        ctx.db,
        session.principal,
        message=data.message,
        product_id=str(data.product_id) if data.product_id else None,
        location_id=str(data.location_id) if data.location_id else None,
    )


async def _sales_update(ctx: Context, session: Session, data: schemas.SalesUpdateIn) -> dict[str, Any]:
    return await broadcasts.publish_sales_update(
        ctx.db,
        session.principal,
        salesman_id=str(data.salesman_id) if data.salesman_id else None,
        amount=data.amount,
        orders_count=data.orders_count,
        period=data.period,
    )


async def _chat_message(ctx: Context, session: Session, data: schemas.ChatMessageIn) -> dict[str, Any]:
    return await broadcasts.send_chat_message(
        ctx.db,
        session.principal,
        channel=data.channel,
        recipient_id=str(data.recipient_id) if data.recipient_id else None,
        text=data.text,
    )


CLIENT_EVENTS: dict[str, ClientEvent] = {
    "location:update": ClientEvent(schemas.LocationUpdateIn, FIELD_ROLES, _location_update),
    "order:status": ClientEvent(
        schemas.OrderStatusIn, frozenset({"admin", "manager", "salesman", "warehouse_staff"}), _order_status
    ),
    "inventory:alert": ClientEvent(schemas.InventoryAlertIn, frozenset(ROLES), _inventory_alert),
    "sales:update": ClientEvent(schemas.SalesUpdateIn, frozenset({"admin", "manager", "salesman"}), _sales_update),
    "chat:message": ClientEvent(schemas.ChatMessageIn, frozenset(ROLES), _chat_message),
}


def _validation_errors(exc: ValidationError) -> list[dict[str, str]]:
    return [{"field": field_path(e.get("loc", ())), "message": str(e.get("msg", "invalid"))} for e in exc.errors()]


def _upstream_reply(ref: Any, answer: UpstreamAnswer) -> str:
    body = answer.body if isinstance(answer.body, dict) else {"value": answer.body}
    if answer.ok:
        return ack_frame(ref, body)
    return error_frame(
        ref,
        answer.status,
        str(body.get("title") or "Request failed"),
        errors=body.get("errors") if isinstance(body.get("errors"), list) else None,
        detail=body.get("detail"),
        code=body.get("code"),
    )


async def handle_frame(ctx: Context, session: Session, text: str | bytes) -> None:
    """Answer one client frame; never raises for bad input (the socket stays up)."""
    try:
        frame = parse_client_frame(text)
    except BadFrame as exc:
        session.send(error_frame(exc.ref, 400, "Malformed frame", detail=exc.title))
        return
    spec = CLIENT_EVENTS.get(frame.event)
    if spec is None:
        session.send(error_frame(frame.ref, 400, "Unknown event", detail=f"no client event '{frame.event}'"))
        return
    if session.role not in spec.roles:
        session.send(
            error_frame(frame.ref, 403, "Forbidden", detail=f"role '{session.role}' may not send {frame.event}")
        )
        return
    try:
        data = spec.schema.model_validate(frame.data)
    except ValidationError as exc:
        session.send(error_frame(frame.ref, 422, "Validation failed", errors=_validation_errors(exc)))
        return
    try:
        result = await spec.run(ctx, session, data)
    except DomainError as exc:
        errors = getattr(exc, "errors", None)
        session.send(
            error_frame(frame.ref, status_for(exc), exc.title, errors=errors, detail=exc.detail, code=exc.code)
        )
        return
    except Exception:
        log.exception("client event failed", extra={"event": frame.event, "tenant_id": session.tenant_id})
        session.send(error_frame(frame.ref, 503, "Service unavailable", detail="try again"))
        return
    if isinstance(result, UpstreamAnswer):
        session.send(_upstream_reply(frame.ref, result))
    else:
        session.send(ack_frame(frame.ref, result))
