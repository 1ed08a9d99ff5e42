"""HTTP for the unit and user templates and imports (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile

from tiendo.auth.deps import Admin
from tiendo.core.clock import NowDep
from tiendo.core.contract import ApiRoute
from tiendo.db import SessionDep
from tiendo.directory import sheet
from tiendo.directory.schemas import DirectoryImportSummary
from tiendo.directory.units import import_units, units_template
from tiendo.directory.users import import_users, users_template
from tiendo.errors import Invalid, responses

router = APIRouter(responses=responses(401, 403), route_class=ApiRoute)
_TEMPLATE = {200: {"content": {sheet.XLSX_MEDIA: {}}, "description": "Tệp mẫu .xlsx"}}
_DOC = ("Tệp .xlsx theo mẫu (tối đa 2 MB, 2.000 dòng). Trả về bản tổng hợp: số dòng tạo mới "
        "(created), cập nhật (updated), không đổi (skipped), bị từ chối (rejected) và với mỗi "
        "dòng bị từ chối: số dòng, trường và lý do. Mỗi dòng theo đúng quy tắc của API; một "
        "dòng lỗi không làm hỏng các dòng khác. `dry_run` chỉ kiểm tra, không ghi gì. Ô bắt "
        "đầu bằng = + - @ được đọc như chữ, không tính công thức.")


def _upload(file: UploadFile) -> bytes:
    data = file.file.read(sheet.MAX_FILE_BYTES + 1)
    if len(data) > sheet.MAX_FILE_BYTES:
        raise Invalid("Tệp quá lớn (tối đa 2 MB).", field="file", code="file_too_large")
    return data


def _xlsx(body: bytes, name: str) -> Response:
    return Response(body, media_type=sheet.XLSX_MEDIA,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/directory/units/template", name="units-import-template", tags=["units"],
            summary="Tải mẫu nhập đơn vị (.xlsx)", response_class=Response, responses=_TEMPLATE)
def get_units_template(principal: Admin) -> Response:
    return _xlsx(units_template(), "mau-nhap-don-vi.xlsx")


@router.post("/directory/units/import", name="units-import", tags=["units"],
             summary="Nhập đơn vị từ tệp .xlsx (tạo mới, sửa, chuyển)", description=_DOC,
             responses=responses(413, 422))
def post_units_import(
    session: SessionDep, principal: Admin, now: NowDep,
    file: Annotated[UploadFile, File(description="Tệp .xlsx theo mẫu")],
    dry_run: Annotated[bool, Form()] = False,
) -> DirectoryImportSummary:
    return import_units(session, principal, _upload(file), dry_run, now)


@router.get("/directory/users/template", name="users-import-template", tags=["users"],
            summary="Tải mẫu nhập người dùng (.xlsx)", response_class=Response,
            responses=_TEMPLATE)
def get_users_template(principal: Admin) -> Response:
    return _xlsx(users_template(), "mau-nhap-nguoi-dung.xlsx")


@router.post("/directory/users/import", name="users-import", tags=["users"],
             summary="Nhập người dùng từ tệp .xlsx (mật khẩu ban đầu hiện một lần)",
             description=_DOC + " Tệp không chứa mật khẩu: mỗi người dùng mới nhận một mật khẩu "
                                "ban đầu ngẫu nhiên, chỉ có trong câu trả lời này.",
             responses=responses(413, 422))
def post_users_import(
    session: SessionDep, principal: Admin, now: NowDep,
    file: Annotated[UploadFile, File(description="Tệp .xlsx theo mẫu")],
    dry_run: Annotated[bool, Form()] = False,
) -> DirectoryImportSummary:
    return import_users(session, principal, _upload(file), dry_run, now)
