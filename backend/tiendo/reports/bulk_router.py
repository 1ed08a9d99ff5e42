"""HTTP for bulk posts, spreadsheet imports, the import template and the record of imports."""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile
from sqlmodel import select

from tiendo.auth.deps import Admin, ReportWriter, ReportWriterReader
from tiendo.auth.principal import Action
from tiendo.campaigns.models import Campaign
from tiendo.campaigns.service import get_campaign
from tiendo.core.clock import NowDep
from tiendo.cycle.idempotency import IdempotencyDep
from tiendo.cycle.locks import campaign_week
from tiendo.cycle.models import BulkImport
from tiendo.db import SessionDep
from tiendo.errors import NotFound, responses
from tiendo.reports import imports
from tiendo.reports.bulk import run_bulk
from tiendo.reports.models import Source
from tiendo.reports.rules import CampaignRules
from tiendo.reports.schemas import (
    BulkPost,
    ImportRecordDetail,
    ImportRecordPublic,
    ImportSummary,
)
from tiendo.units.models import Unit

router = APIRouter(responses=responses(401, 403))
PERIOD = r"^\d{4}-W\d{2}$"

_SUMMARY_DOC = ("Trả về bản tổng hợp như DHIS2: số mục tạo mới (created), cập nhật (updated), "
                "không đổi (unchanged), bị từ chối (rejected) và với mỗi mục bị từ chối: vị "
                "trí, đơn vị, trường và lý do. Một mục lỗi không làm hỏng các mục khác, trừ khi "
                "`atomic` (khi đó không ghi gì, mọi mục lẽ ra thay đổi đều tính là rejected). "
                "`dry_run` chỉ kiểm tra. Đơn vị ngoài phạm vi của bạn: `unit_not_found`. "
                "Gửi lại cùng `Idempotency-Key` và cùng nội dung nhận lại đúng câu trả lời đầu.")


@router.post("/reports/bulk", name="reports-bulk", tags=["reports"],
             summary="Gửi nhiều báo cáo một lần (tối đa 10.000 mục)", description=_SUMMARY_DOC,
             responses=responses(404, 409, 412, 413, 422))
def post_bulk(data: BulkPost, session: SessionDep, principal: ReportWriter, now: NowDep,
              idem: IdempotencyDep) -> ImportSummary:
    if (replay := idem.replay(session, data.model_dump_json())) is not None:
        return replay
    rules = CampaignRules.for_writing(session, principal, data.campaign)
    summary = run_bulk(session, principal, rules, data.items, atomic=data.atomic,
                       dry_run=data.dry_run, source=Source.api, now=now)
    return idem.respond(session, 200, summary)


@router.post("/reports/import", name="reports-import", tags=["reports"],
             summary="Nhập báo cáo từ tệp .xlsx hoặc .csv",
             description="Dòng đầu: cột `unit` (mã đơn vị), các cột mã chỉ số, tuỳ chọn `note` "
                         "(cột `unit_name` được bỏ qua). Mỗi dòng một đơn vị; dòng trống bỏ "
                         "qua. `index` của mục bị từ chối là số dòng trong tệp. " + _SUMMARY_DOC,
             responses=responses(404, 409, 412, 413, 422))
def post_import(
    session: SessionDep, principal: ReportWriter, now: NowDep, idem: IdempotencyDep,
    file: Annotated[UploadFile, File(description=".xlsx hoặc .csv (UTF-8)")],
    campaign: Annotated[str, Form(max_length=64)],
    period: Annotated[str | None, Form(pattern=PERIOD)] = None,
    dry_run: Annotated[bool, Form()] = False,
    atomic: Annotated[bool, Form()] = False,
) -> ImportSummary:
    data = file.file.read()
    fingerprint = f"{campaign} {period} {dry_run} {atomic} ".encode() + \
        hashlib.sha256(data).digest()
    if (replay := idem.replay(session, fingerprint)) is not None:
        return replay
    rules = CampaignRules.for_writing(session, principal, campaign)
    week = campaign_week(rules.campaign, period, now)
    parsed = imports.sheet_items(imports.read_sheet(data, file.filename), rules, str(week))
    summary = run_bulk(session, principal, rules, [], atomic=atomic, dry_run=dry_run,
                       source=Source.import_, now=now, filename=(file.filename or "")[:255],
                       parsed=parsed)
    return idem.respond(session, 200, summary)


@router.get("/reports/import-template", name="reports-import-template", tags=["reports"],
            summary="Tải mẫu nhập báo cáo của tuần (điền sẵn số liệu gần nhất)",
            response_class=Response, responses={
                **responses(404, 422),
                200: {"content": {"application/vnd.openxmlformats-officedocument."
                                  "spreadsheetml.sheet": {}, "text/csv": {}},
                      "description": "Tệp mẫu"}})
def import_template(
    session: SessionDep, principal: ReportWriterReader, now: NowDep,
    campaign: Annotated[str, Query(max_length=64)],
    period: Annotated[str | None, Query(pattern=PERIOD)] = None,
    under: Annotated[str | None, Query(max_length=64)] = None,
    format: Annotated[Literal["xlsx", "csv"], Query()] = "xlsx",  # noqa: A002
) -> Response:
    c = get_campaign(session, principal, campaign, action=Action.report_write)
    week, header, rows = imports.template_rows(session, principal, c, period, under, now)
    name = f"{c.code}-{week}.{format}"
    if format == "csv":
        body, media = imports.template_csv(header, rows), "text/csv; charset=utf-8"
    else:
        body = imports.template_xlsx(c, week, header, rows)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _imports_query(principal):  # noqa: ANN001, ANN202
    return (select(BulkImport, Campaign.code).join(Campaign, Campaign.id == BulkImport.campaign_id)
            .join(Unit, Unit.id == Campaign.owner_unit_id)
            .where(principal.subtree_filter(Unit.path, Action.admin)))


@router.get("/imports", name="imports-list", tags=["reports"],
            summary="Các lần gửi hàng loạt / nhập tệp đã nhận (mới nhất trước)")
def list_imports(session: SessionDep, principal: Admin,
                 limit: Annotated[int, Query(ge=1, le=500)] = 50,
                 offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
                 ) -> list[ImportRecordPublic]:
    rows = session.exec(_imports_query(principal).order_by(BulkImport.id.desc())
                        .limit(limit).offset(offset)).all()
    return [ImportRecordPublic.model_validate({**r.model_dump(), "campaign": code})
            for r, code in rows]


@router.get("/imports/{import_id}", name="imports-read", tags=["reports"],
            summary="Một lần gửi hàng loạt, với các mục bị từ chối", responses=responses(404))
def read_import(import_id: Annotated[int, Path(ge=1, le=2**31 - 1)], session: SessionDep,
                principal: Admin) -> ImportRecordDetail:
    row = session.exec(_imports_query(principal).where(BulkImport.id == import_id)).first()
    if row is None:
        raise NotFound("Không tìm thấy lần nhập.", code="import_not_found")
    return ImportRecordDetail.model_validate({**row[0].model_dump(), "campaign": row[1]})
