"""`/api/dashboard/activities` (the timeline) and `/api/notifications` (one's own)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Query

from notifier.api.schemas import ActivityPage, NotificationOut, NotificationPage
from notifier.service_layer import queries
from salessync.app import database
from salessync.auth import Principal, require_principal
from salessync.db import Database
from salessync.pagination import PageParams, page_of, page_params

router = APIRouter(prefix="/api")


@router.get("/dashboard/activities", response_model=ActivityPage, tags=["dashboard"])
async def list_activities(
    limit: int = Query(20, ge=1, le=100),
    before: str | None = Query(None, max_length=200, description="`next_before` of the previous page"),
    principal: Principal = Depends(require_principal),
    db: Database = Depends(database),
) -> dict[str, Any]:
    return await queries.list_activities(db, principal, limit=limit, before=before)


@router.get("/notifications", response_model=NotificationPage, tags=["notifications"])
async def list_notifications(
    unread: bool = Query(False, description="only the unread ones"),
    params: PageParams = Depends(page_params),
    principal: Principal = Depends(require_principal),
    db: Database = Depends(database),
) -> dict[str, Any]:
    items, total = await queries.list_notifications(
        db, principal, unread_only=unread, limit=params.limit, offset=params.offset
    )
    return page_of(items, params, total)


@router.post("/notifications/{notification_id}/read", response_model=NotificationOut, tags=["notifications"])
async def mark_read(
    notification_id: uuid.UUID,
    principal: Principal = Depends(require_principal),
    db: Database = Depends(database),
) -> dict[str, Any]:
    return await queries.mark_notification_read(db, principal, notification_id)
