"""HTTP for reminders (manager: send, ledger, schedule), webhooks and channel tests (admin),
and a unit's channel choice (its admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Path, Query, Response

from tiendo.auth.deps import Admin, Manager
from tiendo.core.clock import NowDep
from tiendo.core.contract import ApiRoute
from tiendo.core.pagination import Page, PageDep
from tiendo.core.periods import Period
from tiendo.cycle.idempotency import IdempotencyDep
from tiendo.db import SessionDep, SessionFactoryDep
from tiendo.errors import responses
from tiendo.reminders import preferences, schedule, service, webhooks
from tiendo.reminders.channels import Channels, configured_channels
from tiendo.reminders.delivery import deliver_due
from tiendo.reminders.schemas import (
    ReminderCreate,
    ReminderMessagePublic,
    ReminderQueued,
    SchedulePublic,
    ScheduleReplace,
    TestMessage,
    TestResult,
    UnitChannels,
    UnitChannelsPublic,
    WebhookCreate,
    WebhookDeliveryPublic,
    WebhookPublic,
    WebhookUpdate,
)
from tiendo.units.schemas import Code

router = APIRouter(responses=responses(401, 403), route_class=ApiRoute)
WebhookId = Annotated[int, Path(ge=1, le=2**31 - 1)]
CampaignRef = Annotated[str, Path(min_length=1, max_length=64)]
UnitRef = Annotated[str, Path(min_length=1, max_length=64)]


@router.post("/reminders", name="reminders-send", tags=["cycle"], status_code=202,
             summary="Nhắc các đơn vị chưa nộp báo cáo tuần (e-mail, Zalo, SMS, webhook)",
             description="Xếp hàng một tin cho mỗi đơn vị chưa nộp thuộc phạm vi, trên mỗi kênh "
                         "đơn vị dùng được, và trả lời ngay (202) với các tin đã xếp hàng; việc "
                         "gửi diễn ra sau khi trả lời. Mỗi (đơn vị, tuần, loại, kênh) chỉ được "
                         "gửi một lần: gọi lại không gửi lại tin đã gửi; tin lỗi được thử lại "
                         "với thời gian chờ tăng dần.",
             responses=responses(404, 422))
def send_reminders(data: ReminderCreate, session: SessionDep, principal: Manager, now: NowDep,
                   idem: IdempotencyDep, background: BackgroundTasks,
                   sessions: SessionFactoryDep) -> ReminderQueued:
    if (replay := idem.replay(session, data)) is not None:
        return replay
    result = service.send_reminders(session, principal, data.campaign, data.period, data.under,
                                    now, configured_channels())
    if result.queued:
        background.add_task(deliver_due, sessions, now)
    return idem.respond(session, 202, result)


@router.get("/reminders/messages", name="reminders-messages", tags=["cycle"],
            summary="Các tin nhắc đã gửi: đơn vị, kênh, người nhận, thời điểm, kết quả",
            responses=responses(404, 422))
def list_messages(session: SessionDep, principal: Manager, page: PageDep,
                  campaign: Annotated[Code | None, Query()] = None,
                  period: Annotated[Period | None, Query()] = None,
                  unit: Annotated[Code | None, Query()] = None,
                  ) -> Page[ReminderMessagePublic]:
    return service.list_messages(session, principal, campaign, period, unit, page)


@router.post("/reminders/test", name="reminders-test", tags=["webhooks"],
             summary="Gửi tin thử qua một kênh (mặc định tới e-mail của chính mình)",
             description="Gửi ngay một tin thử (một lần, không thử lại) và cho biết kết quả; "
                         "không ghi vào sổ gửi tin.",
             responses=responses(404, 422))
def send_test(data: TestMessage, session: SessionDep, principal: Admin,
              now: NowDep) -> TestResult:
    message = preferences.build_test_message(session, principal, data, now,
                                             configured_channels())
    with Channels() as channels:
        result = channels.send(message)
    return TestResult(channel=data.channel, recipient=message.recipient, delivered=result.ok,
                      error=result.error)


@router.get("/campaigns/{campaign}/reminder-schedule", name="reminders-schedule-read",
            tags=["cycle"], summary="Lịch nhắc của chiến dịch", responses=responses(404))
def read_schedule(campaign: CampaignRef, session: SessionDep,
                  principal: Manager) -> SchedulePublic:
    return schedule.read_schedule(session, principal, campaign)


@router.put("/campaigns/{campaign}/reminder-schedule", name="reminders-schedule-replace",
            tags=["cycle"], summary="Đặt lại lịch nhắc của chiến dịch",
            description="Thay toàn bộ lịch: thứ trong tuần (1 = thứ Hai), giờ địa phương, loại "
                        "tin (due_soon: sắp đến hạn, last_hours: sắp hết hạn, late: quá hạn, "
                        "digest: tổng hợp gửi đơn vị chủ trì).",
            responses=responses(404, 422))
def replace_schedule(campaign: CampaignRef, data: ScheduleReplace, session: SessionDep,
                     principal: Manager, now: NowDep) -> SchedulePublic:
    return schedule.replace_schedule(session, principal, campaign, data.entries, now)


@router.get("/units/{unit}/reminder-channels", name="units-reminder-channels-read",
            tags=["units"], summary="Các kênh nhắc đơn vị dùng", responses=responses(404))
def read_unit_channels(unit: UnitRef, session: SessionDep,
                       principal: Manager) -> UnitChannelsPublic:
    return preferences.unit_channels(session, principal, unit, configured_channels())


@router.put("/units/{unit}/reminder-channels", name="units-reminder-channels-set",
            tags=["units"], summary="Chọn các kênh nhắc của đơn vị (quản trị đơn vị)",
            responses=responses(404, 422))
def set_unit_channels(unit: UnitRef, data: UnitChannels, session: SessionDep, principal: Admin,
                      now: NowDep) -> UnitChannelsPublic:
    return preferences.set_unit_channels(session, principal, unit, data, now,
                                         configured_channels())


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
    if (replay := idem.replay(session, data)) is not None:
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
