"""HTTP for reminders (manager) and the webhooks they go through (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from tiendo.auth.deps import Admin, Manager
from tiendo.core.clock import NowDep
from tiendo.core.contract import ApiRoute
from tiendo.core.pagination import Page, PageDep
from tiendo.cycle import reminders, webhooks
from tiendo.cycle.idempotency import IdempotencyDep
from tiendo.cycle.schemas import (
    ReminderCreate,
    ReminderResult,
    WebhookCreate,
    WebhookDeliveryPublic,
    WebhookPublic,
    WebhookUpdate,
)
from tiendo.db import SessionDep
from tiendo.errors import responses

router = APIRouter(responses=responses(401, 403), route_class=ApiRoute)
WebhookId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post("/reminders", name="reminders-send", tags=["cycle"],
             summary="Nhắc các đơn vị chưa nộp báo cáo tuần qua webhook",
             description="Mỗi webhook đang bật nhận một lần gọi (JSON) liệt kê các đơn vị chưa "
                         "nộp thuộc phạm vi của nó; có thời gian chờ và thử lại. Một webhook "
                         "lỗi không ảnh hưởng các webhook khác; kết quả từng lần gửi được lưu.",
             responses=responses(404, 422))
def send_reminders(data: ReminderCreate, session: SessionDep, principal: Manager, now: NowDep,
                   idem: IdempotencyDep) -> ReminderResult:
    if (replay := idem.replay(session, data.model_dump_json())) is not None:
        return replay
    sender = reminders.WebhookSender()
    try:
        result = reminders.send_reminders(session, principal, data.campaign, data.period,
                                          data.under, now, sender)
    finally:
        sender.close()
    return idem.respond(session, 200, result)


@router.get("/webhooks", name="webhooks-list", tags=["webhooks"],
            summary="Các webhook nhận lời nhắc")
def list_webhooks(session: SessionDep, principal: Admin, page: PageDep) -> Page[WebhookPublic]:
    rows = Page.of(webhooks.list_webhooks(session, principal), page)
    return Page(data=[webhooks.webhook_public(h, u) for h, u in rows.data], count=rows.count,
                limit=page.limit, offset=page.offset)


@router.post("/webhooks", name="webhooks-create", tags=["webhooks"], status_code=201,
             summary="Thêm webhook", responses=responses(404, 422))
def create_webhook(data: WebhookCreate, session: SessionDep, principal: Admin, now: NowDep,
                   idem: IdempotencyDep) -> WebhookPublic:
    if (replay := idem.replay(session, data.model_dump_json())) is not None:
        return replay
    hook, unit = webhooks.create_webhook(session, principal, data, now)
    return idem.respond(session, 201, webhooks.webhook_public(hook, unit))


@router.get("/webhooks/{webhook_id}", name="webhooks-read", tags=["webhooks"],
            summary="Xem webhook", responses=responses(404))
def read_webhook(webhook_id: WebhookId, session: SessionDep, principal: Admin) -> WebhookPublic:
    return webhooks.webhook_public(*webhooks.get_webhook(session, principal, webhook_id))


@router.patch("/webhooks/{webhook_id}", name="webhooks-update", tags=["webhooks"],
              summary="Sửa webhook", responses=responses(404, 422))
def update_webhook(webhook_id: WebhookId, data: WebhookUpdate, session: SessionDep,
                   principal: Admin, now: NowDep) -> WebhookPublic:
    hook, unit = webhooks.update_webhook(session, principal, webhook_id, data, now)
    return webhooks.webhook_public(hook, unit)


@router.delete("/webhooks/{webhook_id}", name="webhooks-delete", tags=["webhooks"],
               status_code=204, summary="Xoá webhook (cùng lịch sử gửi)",
               responses=responses(404))
def delete_webhook(webhook_id: WebhookId, session: SessionDep, principal: Admin,
                   now: NowDep) -> Response:
    webhooks.delete_webhook(session, principal, webhook_id, now)
    return Response(status_code=204)


@router.get("/webhooks/{webhook_id}/deliveries", name="webhooks-deliveries", tags=["webhooks"],
            summary="Các lần gửi gần đây của webhook và kết quả", responses=responses(404))
def list_deliveries(webhook_id: WebhookId, session: SessionDep, principal: Admin,
                    page: PageDep) -> Page[WebhookDeliveryPublic]:
    rows, total = webhooks.list_deliveries(session, principal, webhook_id, page.limit,
                                           page.offset)
    return Page(data=rows, count=total, limit=page.limit, offset=page.offset)
