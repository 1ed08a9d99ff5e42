"""The weekly báo cáo to the city as a .docx (Decree 30/2020 layout), read back with python-docx:
the demo's 2024-W30 for Gia Lâm, with HANOI EIC's 2,850 against that week's reported sum."""

import io

import pytest
from docx import Document
from docx.shared import Mm

from conftest import assert_error

HISTORIC = "ihanoi-2024"
URL = "/api/v1/exports/weekly-report.docx"
FONT = "Times New Roman"


def vn(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@pytest.fixture
def w30(client, auth):
    r = client.get(URL, headers=auth("vanphong"),
                   params={"campaign": HISTORIC, "period": "2024-W30", "under": "HN-GL"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert "bao-cao-tuan-ihanoi-2024-2024-W30-HN-GL.docx" in r.headers["content-disposition"]
    return Document(io.BytesIO(r.content))


def texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def cell_texts(table) -> list[str]:
    return [p.text for row in table.rows for c in row.cells for p in c.paragraphs]


def test_layout_headings_and_signature(w30):
    section = w30.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5)
    assert abs(section.page_height - Mm(297)) < Mm(0.5)
    assert Mm(20) - Mm(0.5) <= section.top_margin <= Mm(25) + Mm(0.5)
    assert Mm(20) - Mm(0.5) <= section.bottom_margin <= Mm(25) + Mm(0.5)
    assert Mm(30) - Mm(0.5) <= section.left_margin <= Mm(35) + Mm(0.5)
    assert Mm(15) - Mm(0.5) <= section.right_margin <= Mm(20) + Mm(0.5)

    header, signature = w30.tables[0], w30.tables[1]
    left, right = ([p.text for p in c.paragraphs] for c in header.rows[0].cells)
    # The campaign's report settings: the demo has Gia Lâm's.
    assert left[0] == "UBND THÀNH PHỐ HÀ NỘI" and left[1] == "UBND HUYỆN GIA LÂM"
    assert left[-1].startswith("Số:") and left[-1].endswith("/BC-UBND")
    assert right[0] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert right[1] == "Độc lập - Tự do - Hạnh phúc"
    assert right[-1] == "Gia Lâm, ngày 25 tháng 07 năm 2024"  # the week's Thursday deadline
    body = texts(w30)
    assert "BÁO CÁO" in body
    title = next(t for t in body if t.startswith("Kết quả triển khai"))
    assert title.endswith("(tuần 30, từ 22/07 đến 28/07/2024)")
    headings = [t for t in body if t[:3] in ("I. ", "II.", "III", "IV.", "V. ")]
    assert headings == ["I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU", "II. CÔNG TÁC TUYÊN TRUYỀN",
                        "III. TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ",
                        "IV. ĐỐI CHIẾU VỚI SỐ LIỆU CHÍNH THỨC", "V. ĐỀ XUẤT, KIẾN NGHỊ"]
    # The proposals are an empty paragraph to write in.
    assert body[body.index("V. ĐỀ XUẤT, KIẾN NGHỊ") + 1] == ""
    recipients, sign = ([p.text for p in c.paragraphs] for c in signature.rows[0].cells)
    assert recipients[0] == "Nơi nhận:" and recipients[-1] == "- Lưu: VT."
    assert "- UBND Thành phố Hà Nội (để báo cáo);" in recipients
    assert sign[:3] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert "PHỤ LỤC" in body


def test_fonts_are_times_new_roman_13_to_14(w30):
    runs = [r for p in w30.paragraphs for r in p.runs if r.text.strip()]
    runs += [r for t in w30.tables for row in t.rows for c in row.cells for p in c.paragraphs
             for r in p.runs if r.text.strip()]
    assert len(runs) > 100
    assert {r.font.name for r in runs} == {FONT}
    assert {r.font.size.pt for r in runs} <= {13.0, 14.0}


def test_figures_are_the_progress_figures_and_the_official_count(w30, client, auth):
    manager = auth("vanphong")
    prog = client.get("/api/v1/progress", headers=manager, params={
        "campaign": HISTORIC, "period": "2024-W30", "under": "HN-GL"}).json()
    body = "\n".join(texts(w30))
    for t in prog["targets"]:
        assert f"{t['name']}" in body
        assert f"Đã thực hiện: {vn(t['numerator'])}/{vn(t['denominator'])}" in body
        # The children behind schedule, named as the screen shows them (and only they).
        behind = [c["unit_name"] for c in t["children"] if c["status"] == "behind"]
        line = next((p for p in texts(w30)
                     if p.startswith(f"- Các đơn vị chậm tiến độ ({t['name']}): ")), "")
        assert [n for n in behind if n in line] == behind and bool(line) == bool(behind)
    assert any(c["status"] == "behind" for t in prog["targets"] for c in t["children"])
    residents = next(t for t in prog["targets"] if t["numerator_metric"] == "residents_accounts")
    assert residents["official"]["value"] == 2850
    line = next(t for t in texts(w30) if "HANOI EIC" in t)
    assert "lúc 15:06 ngày 23/07/2024: 2.850" in line
    assert f"tổng số các đơn vị báo cáo tuần 30: {vn(residents['numerator'])}" in line
    assert f"chênh lệch {'+' if residents['numerator'] < 2850 else ''}" \
           f"{vn(2850 - residents['numerator'])}" in line

    # Propaganda: each unit's latest figure at or before the week, summed (a plain oracle).
    latest: dict[str, dict] = {}
    for week in ("2024-W28", "2024-W29", "2024-W30"):
        page = client.get("/api/v1/reports", headers=manager, params={
            "campaign": HISTORIC, "period": week, "limit": 500, "under": "HN-GL"}).json()
        assert page["count"] == len(page["data"])
        latest.update({r["unit"]: r["values"] for r in page["data"]})
    for code, name in (("broadcasts", "Số buổi phát thanh tuyên truyền"),
                       ("posters", "Số pano, áp phích có mã QR")):
        total = sum(v.get(code, 0) for v in latest.values())
        assert total > 0 and f"- {name}: {vn(total)}." in body

    appendix = [c for t in w30.tables[2:] for c in cell_texts(t)]
    assert "Xã Đa Tốn" in appendix and "TỔNG CỘNG" in appendix


def test_only_managers_draft_the_report(client, auth):
    assert_error(client.get(URL, headers=auth("daton"), params={"campaign": HISTORIC}), 403)
    assert_error(client.get(URL, headers=auth("vanphong"),
                            params={"campaign": HISTORIC, "under": "NOPE"}), 404)
