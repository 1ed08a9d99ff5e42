from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from tiendo.auth.deps import Reader
from tiendo.core.clock import NowDep
from tiendo.core.contract import ApiRoute
from tiendo.core.periods import PeriodQuery
from tiendo.db import SessionDep
from tiendo.errors import responses
from tiendo.progress import series, service
from tiendo.progress.schemas import LeaderboardPublic, ProgressPublic, SeriesPublic

router = APIRouter(tags=["progress"], route_class=ApiRoute)
CampaignQuery = Annotated[str, Query(max_length=64, description="Mã hoặc id chiến dịch")]
UnderQuery = Annotated[str | None, Query(max_length=64,
                                         description="Đơn vị gốc (mặc định: đơn vị cao nhất "
                                                     "bạn được xem)")]


@router.get("/progress", name="progress-read", summary="Tiến độ các chỉ tiêu của một nhánh đơn vị",
            description="Mỗi đơn vị dùng báo cáo mới nhất đến hết tuần được hỏi (số cộng dồn; "
                        "đơn vị bỏ tuần được tính theo tuần trước và đánh dấu `stale`). Tỷ lệ = "
                        "tổng tử số / tổng mẫu số, không lấy trung bình các tỷ lệ. Kèm tốc độ "
                        "tuần, ngày dự kiến đạt, trạng thái so với hạn huyện và hạn thành phố, "
                        "xếp hạng các đơn vị trực thuộc và số liệu chính thức (nếu có).",
            response_model=ProgressPublic, responses=responses(401, 403, 404, 422))
def read_progress(session: SessionDep, principal: Reader, now: NowDep, campaign: CampaignQuery,
                  under: UnderQuery = None, period: PeriodQuery = None) -> Response:
    progress = service.progress(session, principal, campaign, under, period, now)
    # Built and validated by the service: serialised once, by pydantic-core (a district's
    # answer holds hundreds of children; FastAPI would validate and encode them again).
    return Response(progress.model_dump_json(), media_type="application/json")


@router.get("/progress/series", name="progress-series",
            summary="Chuỗi số liệu theo tuần của từng chỉ tiêu (để vẽ biểu đồ)",
            responses=responses(401, 403, 404, 422))
def read_series(session: SessionDep, principal: Reader, now: NowDep, campaign: CampaignQuery,
                under: UnderQuery = None) -> SeriesPublic:
    return series.progress_series(session, principal, campaign, under, now)


@router.get("/public/leaderboard/{campaign}", name="public-leaderboard", tags=["public"],
            summary="Bảng xếp hạng công khai (không cần đăng nhập)",
            description="Chỉ có khi chiến dịch bật `public_leaderboard`; chỉ gồm tên đơn vị và "
                        "tỷ lệ, không có thông tin cá nhân.",
            responses=responses(404))
def public_leaderboard(session: SessionDep, now: NowDep,
                       campaign: Annotated[str, Path(max_length=64)]) -> LeaderboardPublic:
    return series.leaderboard(session, campaign, now)
