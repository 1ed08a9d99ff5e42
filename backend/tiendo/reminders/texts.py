"""What a reminder says, in Vietnamese: e-mail (subject, text, HTML), SMS text, ZNS data."""

from __future__ import annotations

import html
import unicodedata
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
SIGNATURE = "Tin nhắn tự động từ hệ thống Tiến Độ; xin đừng trả lời thư này."


def report_link(public_url: str, unit: str, period: str) -> str:
    return f"{public_url.rstrip('/')}/report?unit={quote(unit)}&period={quote(period)}"


def due_text(payload: dict[str, Any]) -> str:
    due = datetime.fromisoformat(payload["due_at"]).astimezone(ZoneInfo(payload["tz"]))
    return f"{due:%H:%M} {WEEKDAYS[due.weekday()]} {due:%d/%m/%Y}"


def _percent(rate: float) -> str:
    return f"{rate * 100:.1f}".replace(".", ",") + " %"


def status_phrase(kind: str, payload: dict[str, Any]) -> str:
    if kind == "late" or (kind == "manual" and payload.get("overdue")):
        return "đã quá hạn"
    if kind == "last_hours":
        return "sắp hết hạn"
    return "sắp đến hạn"


def subject(kind: str, p: dict[str, Any]) -> str:
    if kind == "test":
        return "[Tiến Độ] Tin nhắn thử"
    week = p["period"]
    if kind == "digest":
        return (f"[Tiến Độ] Tổng hợp báo cáo tuần {week}: {p['on_time'] + p['late']}/"
                f"{p['expected']} đơn vị đã báo cáo")
    if status_phrase(kind, p) == "đã quá hạn":
        return f"[Tiến Độ] {p['unit_name']} chưa gửi báo cáo tuần {week} (đã quá hạn)"
    if kind == "last_hours":
        return f"[Tiến Độ] Sắp hết hạn báo cáo tuần {week}: {due_text(p)}"
    return f"[Tiến Độ] Nhắc báo cáo tuần {week}: hạn {due_text(p)}"


def lines(kind: str, p: dict[str, Any]) -> list[str]:
    """The body, paragraph by paragraph (the e-mail's text and HTML parts share it)."""
    if kind == "test":
        return ["Đây là tin nhắn thử của hệ thống Tiến Độ: kênh này đã được cấu hình đúng."]
    if kind == "digest":
        missing = p.get("missing_units") or []
        out = [f"Kính gửi {p['unit_name']},",
               f"Tổng hợp báo cáo tuần {p['period']} của đợt \"{p['campaign_name']}\" "
               f"(hạn {due_text(p)}):",
               f"Đúng hạn: {p['on_time']}; nộp muộn: {p['late']}; chưa báo cáo: {p['missing']} "
               f"(trên {p['expected']} đơn vị).",
               f"Tỉ lệ đã báo cáo: {_percent(p['reporting_rate'])}; đúng hạn: "
               f"{_percent(p['on_time_rate'])}."]
        if missing:
            out.append("Các đơn vị chưa báo cáo: " + ", ".join(missing) + ".")
        out.append(f"Xem chi tiết: {p['link']}")
        return out
    greeting = f"Kính gửi {p['contact_name']}," if p.get("contact_name") else "Kính gửi đơn vị,"
    state = status_phrase(kind, p)
    if state == "đã quá hạn":
        what = (f"Đơn vị {p['unit_name']} chưa gửi báo cáo tuần {p['period']} của đợt "
                f"\"{p['campaign_name']}\" và đã quá hạn (hạn nộp: {due_text(p)}). "
                "Đề nghị đơn vị gửi báo cáo ngay.")
    elif kind == "last_hours":
        what = (f"Chỉ còn ít giờ nữa là đến hạn nộp báo cáo tuần {p['period']} của đợt "
                f"\"{p['campaign_name']}\" ({due_text(p)}), và đơn vị {p['unit_name']} "
                "chưa gửi báo cáo.")
    else:
        what = (f"Đơn vị {p['unit_name']} chưa gửi báo cáo tuần {p['period']} của đợt "
                f"\"{p['campaign_name']}\". Hạn nộp: {due_text(p)}.")
    return [greeting, what, f"Gửi báo cáo tại: {p['link']}"]


def email_parts(kind: str, p: dict[str, Any]) -> tuple[str, str, str]:
    body = lines(kind, p)
    text = "\n\n".join([*body, SIGNATURE]) + "\n"
    paragraphs = []
    for line in body:
        escaped = html.escape(line)
        link = p.get("link")
        if link and link in line:
            escaped = escaped.replace(html.escape(link),
                                      f'<a href="{html.escape(link)}">{html.escape(link)}</a>')
        paragraphs.append(f"<p>{escaped}</p>")
    page = (f'<!doctype html><html lang="vi"><body>{"".join(paragraphs)}'
            f'<p style="color:#666;font-size:small">{html.escape(SIGNATURE)}</p></body></html>')
    return subject(kind, p), text, page


def ascii_text(text: str) -> str:
    """Vietnamese without diacritics: an SMS brandname message then fits in GSM-7 segments."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if unicodedata.category(c) != "Mn")


def sms_text(kind: str, p: dict[str, Any]) -> str:
    if kind == "test":
        return ascii_text("Tien Do: tin nhắn thử, kênh SMS đã được cấu hình đúng.")
    state = status_phrase(kind, p)
    return ascii_text(f"Tiến Độ: {p['unit_name']} chưa gửi báo cáo tuần {p['period']}, "
                      f"{state} ({due_text(p)}). Gửi tại {p['link']}")


def zns_data(kind: str, p: dict[str, Any]) -> dict[str, str]:
    """The template data of the approved ZNS template (keys documented in README)."""
    if kind == "test":
        return {"unit": "Tin nhắn thử", "week": "", "deadline": "", "status": "thử",
                "link": p.get("link", "")}
    return {"unit": p["unit_name"], "week": p["period"], "deadline": due_text(p),
            "status": status_phrase(kind, p), "link": p["link"]}
