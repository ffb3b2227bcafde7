"""/api/locations: agents post their positions; managers and admins read the latest one per agent."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from field.adapters import visits_repo
from field.api.common import ALL_ROLES, MANAGERS, json_response
from field.api.schemas import LocationIn
from field.service_layer import visits
from salessync.app import database
from salessync.auth import Principal, require_role
from salessync.db import Database

router = APIRouter(prefix="/api/locations", tags=["locations"])


@router.post("", status_code=201)
async def record_location(
    body: LocationIn, principal: Principal = Depends(require_role(*ALL_ROLES)), db: Database = Depends(database)
) -> Response:
    async with db.transaction() as tx:
        point = await visits.record_location(
            tx, principal, body.latitude, body.longitude, body.accuracy_m, body.recorded_at
        )
    return json_response(point, status_code=201)


@router.get("/latest")
async def latest_locations(
    principal: Principal = Depends(require_role(*MANAGERS)), db: Database = Depends(database)
) -> Response:
    async with db.connect() as tx:
        items = await visits_repo.latest_positions(await tx.raw(), principal.tenant_id)
    return json_response({"items": items})
