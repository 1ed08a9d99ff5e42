"""HTTP for bulk posts, spreadsheet imports, the import template and the record of imports."""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile
from sqlmodel import func, select

from tiendo.auth.deps import Admin, ReportWriter, ReportWriterReader
from tiendo.auth.principal import Action
from tiendo.campaigns.calendar import Calendar
from tiendo.campaigns.models import Campaign
from tiendo.campaigns.service import get_campaign
from tiendo.core.clock import NowDep
from tiendo.core.contract import ApiRoute
from tiendo.core.pagination import Page, PageDep
from tiendo.core.periods import Period
from tiendo.cycle.idempotency import IdempotencyDep
from tiendo.cycle.models import BulkImport
from tiendo.db import SessionDep
from tiendo.errors import NotFound, responses
from tiendo.reports import imports
from tiendo.reports.bulk import run_bulk
from tiendo.reports.models import Source
from tiendo.reports.rules import CampaignRules
from tiendo.reports.schemas import (
    BulkPost,
    BulkStrategy,
    ImportRecordDetail,
    ImportRecordPublic,
    ImportSummary,
)
from tiendo.units.models import Unit

router = APIRouter(responses=responses(401, 403), route_class=ApiRoute)

_SUMMARY_DOC = ("Trả về bản tổng hợp như DHIS2: số mục tạo mới (created), cập nhật (updated), "
                "không đổi (unchanged), bỏ qua vì để trống (skipped), bị từ chối (rejected) và "
                "với mỗi mục bị từ chối: vị trí, đơn vị, trường và lý do. `strategy`: "
                "`create_only` (mặc định) không bao giờ sửa báo cáo đã có (`report_exists`), "
                "`create_and_update` tạo hoặc cập nhật; mục có `version` chỉ cập nhật khi báo "
                "cáo đang ở đúng phiên bản đó (`version_mismatch`). Gửi lại đúng số liệu đã "
                "có: unchanged. Một mục lỗi không làm hỏng các mục khác, trừ khi "
                "`atomic` (khi đó không ghi gì, mọi mục lẽ ra thay đổi đều tính là rejected). "
                "`dry_run` chỉ kiểm tra. Đơn vị ngoài phạm vi của bạn: `unit_not_found`. "
                "Gửi lại cùng `Idempotency-Key` và cùng nội dung nhận lại đúng câu trả lời đầu.")


@router.post("/reports/bulk", name="reports-bulk", tags=["reports"],
             summary="Gửi nhiều báo cáo một lần (tối đa 10.000 mục)", description=_SUMMARY_DOC,
             responses=responses(404, 409, 412, 413, 422))
def post_bulk(data: BulkPost, session: SessionDep, principal: ReportWriter, now: NowDep,
              idem: IdempotencyDep) -> ImportSummary:
    if (replay := idem.replay(session, data)) is not None:
        return replay
    rules = CampaignRules.for_writing(session, principal, data.campaign)
    summary = run_bulk(session, principal, rules, data.items, atomic=data.atomic,
                       dry_run=data.dry_run, source=Source.api, now=now, strategy=data.strategy)
    return idem.respond(session, 200, summary)


@router.post("/reports/import", name="reports-import", tags=["reports"],
             summary="Nhập báo cáo từ tệp .xlsx hoặc .csv",
             description="Dòng mã cột: cột `unit` (mã đơn vị), các cột mã chỉ số, tuỳ chọn "
                         "`note`; đó là dòng đầu của tệp, hoặc dòng thứ hai khi dòng đầu là "
                         "tiêu đề tiếng Việt (như tệp mẫu). Cột `unit_name` và các cột chỉ đọc "
                         "`last_week:…` của tệp mẫu được bỏ qua. Mỗi dòng một đơn vị; dòng có "
                         "mã đơn vị mà mọi ô số liệu trống được bỏ qua (skipped), không tạo báo "
                         "cáo. Ô công thức không được tính (bị từ chối). `index` của mục bị từ "
                         "chối là số dòng trong tệp. " + _SUMMARY_DOC,
             responses=responses(404, 409, 412, 413, 422))
def post_import(
    session: SessionDep, principal: ReportWriter, now: NowDep, idem: IdempotencyDep,
    file: Annotated[UploadFile, File(description=".xlsx hoặc .csv (UTF-8)")],
    campaign: Annotated[str, Form(max_length=64)],
    period: Annotated[Period | None, Form()] = None,
    dry_run: Annotated[bool, Form()] = False,
    atomic: Annotated[bool, Form()] = False,
    strategy: Annotated[BulkStrategy, Form()] = BulkStrategy.create_only,
) -> ImportSummary:
    data = file.file.read()
    fingerprint = f"{campaign} {period} {dry_run} {atomic} {strategy} ".encode() + \
        hashlib.sha256(data).digest()
    if (replay := idem.replay(session, fingerprint)) is not None:
        return replay
    rules = CampaignRules.for_writing(session, principal, campaign)
    week = Calendar(rules.campaign).week(period, now)
    items, conflicts, skipped = imports.sheet_items(imports.read_sheet(data, file.filename),
                                                    rules, str(week))
    summary = run_bulk(session, principal, rules, [], atomic=atomic, dry_run=dry_run,
                       source=Source.import_, now=now, strategy=strategy,
                       filename=(file.filename or "")[:255], parsed=(items, conflicts),
                       skipped=skipped)
    return idem.respond(session, 200, summary)


@router.get("/reports/import-template", name="reports-import-template", tags=["reports"],
            summary="Tải mẫu nhập báo cáo của tuần (ô số liệu để trống)",
            description="Mỗi đơn vị cần báo cáo một dòng. Dòng 1: tên chỉ số tiếng Việt; dòng "
                        "2: mã cột mà phần nhập đọc. Ô số liệu để trống: dòng nào không điền "
                        "được bỏ qua khi nhập. Số liệu tuần trước (nếu có) nằm ở các cột chỉ "
                        "đọc `Tuần trước: …` (mã `last_week:…`), mà phần nhập bỏ qua.",
            response_class=Response, responses={
                **responses(404, 422),
                200: {"content": {"application/vnd.openxmlformats-officedocument."
                                  "spreadsheetml.sheet": {}, "text/csv": {}},
                      "description": "Tệp mẫu"}})
def import_template(
    session: SessionDep, principal: ReportWriterReader, now: NowDep,
    campaign: Annotated[str, Query(max_length=64)],
    period: Annotated[Period | None, Query()] = None,
    under: Annotated[str | None, Query(max_length=64)] = None,
    format: Annotated[Literal["xlsx", "csv"], Query()] = "xlsx",  # noqa: A002
) -> Response:
    c = get_campaign(session, principal, campaign, action=Action.report_write)
    template = imports.template_rows(session, principal, c, period, under, now)
    name = f"{c.code}-{template.week}.{format}"
    if format == "csv":
        body, media = imports.template_csv(template), "text/csv; charset=utf-8"
    else:
        body = imports.template_xlsx(c, template)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _imports_query(principal):  # noqa: ANN001, ANN202
    return (select(BulkImport, Campaign.code).join(Campaign, Campaign.id == BulkImport.campaign_id)
            .join(Unit, Unit.id == Campaign.owner_unit_id)
            .where(principal.subtree_filter(Unit.path, Action.admin)))


@router.get("/imports", name="imports-list", tags=["reports"],
            summary="Các lần gửi hàng loạt / nhập tệp đã nhận (mới nhất trước)")
def list_imports(session: SessionDep, principal: Admin, page: PageDep,
                 ) -> Page[ImportRecordPublic]:
    query = _imports_query(principal)
    rows = session.exec(query.order_by(BulkImport.id.desc())
                        .limit(page.limit).offset(page.offset)).all()
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    return Page(data=[ImportRecordPublic.model_validate({**r.model_dump(), "campaign": code})
                      for r, code in rows], count=total, limit=page.limit, offset=page.offset)


@router.get("/imports/{import_id}", name="imports-read", tags=["reports"],
            summary="Một lần gửi hàng loạt, với các mục bị từ chối", responses=responses(404))
def read_import(import_id: Annotated[int, Path(ge=1, le=2**31 - 1)], session: SessionDep,
                principal: Admin) -> ImportRecordDetail:
    row = session.exec(_imports_query(principal).where(BulkImport.id == import_id)).first()
    if row is None:
        raise NotFound("Không tìm thấy lần nhập.", code="import_not_found")
    return ImportRecordDetail.model_validate({**row[0].model_dump(), "campaign": row[1]})
