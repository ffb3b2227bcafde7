"""/api/visits (plan, beat plan, check in/out, cancel), /api/customers/{id}/visits, /api/visits/policy."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response

from field.adapters import visits_repo
from field.api.common import MANAGERS, create_idempotently, json_response
from field.api.schemas import CancelIn, CheckInIn, CheckOutIn, PolicyIn, VisitCreate, VisitUpdate
from field.service_layer import visits
from field.service_layer.visits import CheckIn, CheckOut, PlanVisit, Policy
from salessync.app import database
from salessync.auth import FIELD_ROLES, Principal, require_role
from salessync.db import Database, Tx
from salessync.idempotency import idempotency_key
from salessync.pagination import PageParams, page_of, page_params

router = APIRouter(tags=["visits"])
VISITORS = ("admin", "manager", *FIELD_ROLES)
STATUSES = "^(planned|checked_in|checked_out|cancelled)$"


def policy_of(request: Request) -> Policy:
    settings = request.app.state.field_settings
    return Policy(settings.geofence_policy, settings.default_geofence_radius_m)


async def _list(db: Database, principal: Principal, params: PageParams, **filters: Any) -> Response:
    if not visits.sees_all(principal):
        filters["agent_id"] = principal.user_id
    async with db.connect() as tx:
        items, total = await visits_repo.list_page(
            await tx.raw(), principal.tenant_id, limit=params.limit, offset=params.offset, **filters
        )
    return json_response(page_of(items, params, total))


@router.get("/api/visits")
async def list_visits(
    agent_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    date: date | None = None,
    status: str | None = Query(None, pattern=STATUSES),
    params: PageParams = Depends(page_params),
    principal: Principal = Depends(require_role(*VISITORS)),
    db: Database = Depends(database),
) -> Response:
    """The beat plan with `agent_id` and `date`: that agent's visits of the day, ordered by `planned_at`."""
    return await _list(db, principal, params, agent_id=agent_id, customer_id=customer_id, status=status, day=date)


@router.get("/api/customers/{customer_id}/visits")
async def customer_visits(
    customer_id: uuid.UUID,
    params: PageParams = Depends(page_params),
    principal: Principal = Depends(require_role(*VISITORS)),
    db: Database = Depends(database),
) -> Response:
    return await _list(db, principal, params, agent_id=None, customer_id=customer_id, status=None, day=None)


@router.get("/api/visits/policy")
async def get_policy(
    request: Request, principal: Principal = Depends(require_role(*MANAGERS)), db: Database = Depends(database)
) -> Response:
    async with db.connect() as tx:
        chosen = await visits_repo.geofence_policy(await tx.raw(), principal.tenant_id)
    return json_response({"geofence_policy": chosen or policy_of(request).geofence_policy})


@router.put("/api/visits/policy")
async def set_policy(
    body: PolicyIn, principal: Principal = Depends(require_role("admin")), db: Database = Depends(database)
) -> Response:
    async with db.transaction() as tx:
        await visits_repo.set_geofence_policy(await tx.raw(), principal.tenant_id, body.geofence_policy)
    return json_response({"geofence_policy": body.geofence_policy})


@router.post("/api/visits", status_code=201)
async def plan_visit(
    body: VisitCreate,
    request: Request,
    key: str | None = Depends(idempotency_key),
    principal: Principal = Depends(require_role(*VISITORS)),
) -> Response:
    cmd = PlanVisit(body.customer_id, body.agent_id, body.planned_at, body.purpose)

    async def run(tx: Tx) -> dict[str, Any]:
        return await visits.get_visit(tx, principal, await visits.plan_visit(tx, principal, cmd))

    return await create_idempotently(request, principal, key, "field.visits.create", run, "/api/visits")


@router.get("/api/visits/{visit_id}")
async def get_visit(
    visit_id: uuid.UUID, principal: Principal = Depends(require_role(*VISITORS)), db: Database = Depends(database)
) -> Response:
    async with db.connect() as tx:
        return json_response(await visits.get_visit(tx, principal, visit_id))


@router.patch("/api/visits/{visit_id}")
async def replan_visit(
    visit_id: uuid.UUID,
    body: VisitUpdate,
    principal: Principal = Depends(require_role(*VISITORS)),
    db: Database = Depends(database),
) -> Response:
    async with db.transaction() as tx:
        await visits.replan_visit(tx, principal, visit_id, body.model_dump(exclude_unset=True, exclude_none=True))
        return json_response(await visits.get_visit(tx, principal, visit_id))


@router.post("/api/visits/{visit_id}/check-in")
async def check_in(
    visit_id: uuid.UUID,
    body: CheckInIn,
    request: Request,
    principal: Principal = Depends(require_role(*VISITORS)),
    db: Database = Depends(database),
) -> Response:
    cmd = CheckIn(body.latitude, body.longitude, body.accuracy_m, body.device_time)
    async with db.transaction() as tx:
        await visits.check_in(tx, principal, visit_id, cmd, policy_of(request))
        return json_response(await visits.get_visit(tx, principal, visit_id))


@router.post("/api/visits/{visit_id}/check-out")
async def check_out(
    visit_id: uuid.UUID,
    body: CheckOutIn,
    principal: Principal = Depends(require_role(*VISITORS)),
    db: Database = Depends(database),
) -> Response:
    async with db.transaction() as tx:
        await visits.check_out(tx, principal, visit_id, CheckOut(body.outcome, body.notes, body.photos))
        return json_response(await visits.get_visit(tx, principal, visit_id))


@router.post("/api/visits/{visit_id}/cancel")
async def cancel_visit(
    visit_id: uuid.UUID,
    body: CancelIn | None = None,
    principal: Principal = Depends(require_role(*VISITORS)),
    db: Database = Depends(database),
) -> Response:
    async with db.transaction() as tx:
        await visits.cancel_visit(tx, principal, visit_id, body.reason if body else None)
        return json_response(await visits.get_visit(tx, principal, visit_id))
