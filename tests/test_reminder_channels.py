"""Each channel adapter against what it meets in the field: a real SMTP server (STARTTLS and
TLS from the start, a refused mailbox, a server that is down); the ZNS and SMS HTTP APIs
(success, quota answers, timeouts, 500s, refused connections), through pytest-httpx."""

import json
import ssl

import httpx
import pytest
from aiosmtpd.controller import Controller

from smtp_sink import _free_port, start_sink
from tiendo.config import Settings
from tiendo.reminders.channels import Channels, Message

pytestmark = pytest.mark.usefixtures("closed_network")

ZNS = "https://zns.example.vn/message/template"
SMS = "https://sms.example.vn/api/send"
PAYLOAD = {"campaign": "ihanoi-live", "campaign_name": "Cài đặt iHanoi", "period": "2024-W36",
           "due_at": "2024-09-05T15:00:00+07:00", "tz": "Asia/Ho_Chi_Minh",
           "unit": "GL-X-DATON", "unit_name": "Xã Đa Tốn", "contact_name": "Chị Hoa",
           "overdue": False, "link": "https://tiendo.example.vn/report?unit=GL-X-DATON"}


def message(channel: str, to: str, kind: str = "due_soon") -> Message:
    return Message(41, channel, to, kind, PAYLOAD)


def channels(**settings) -> Channels:  # noqa: ANN003
    return Channels(Settings(**settings))


def test_email_with_starttls_and_log_in(smtp):
    with channels(smtp_url=smtp.url(), smtp_ca_file=smtp.ca_file) as c:
        result = c.send(message("email", "hoa@daton.gov.vn", "late"))
    assert (result.ok, result.error) == (True, None)
    got = smtp.to("hoa@daton.gov.vn")[0]
    assert got.tls and got.message["X-Tiendo-Message"] == "41"
    assert got.message["Subject"] == "[Tiến Độ] Xã Đa Tốn chưa gửi báo cáo tuần 2024-W36 (đã quá hạn)"
    assert "Kính gửi Chị Hoa," in got.text() and "<p>Kính gửi Chị Hoa,</p>" in got.html()


def test_email_refused_mailbox_is_given_up_and_a_certificate_not_trusted_is_refused(smtp):
    smtp.refuse.add("khong-co@daton.gov.vn")
    with channels(smtp_url=smtp.url(), smtp_ca_file=smtp.ca_file) as c:
        refused = c.send(message("email", "khong-co@daton.gov.vn"))
    assert (refused.ok, refused.permanent) == (False, True) and "550" in refused.error
    with channels(smtp_url=smtp.url()) as c:  # the sink's CA is not among the system's
        untrusted = c.send(message("email", "hoa@daton.gov.vn"))
    assert not untrusted.ok and not untrusted.permanent and "CERTIFICATE" in untrusted.error
    assert smtp.received == []


def test_email_over_smtps_and_a_server_that_is_down(smtp):
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    import trustme

    ca = trustme.CA()
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)
    ca_file = smtp.ca_file + ".smtps.pem"
    ca.cert_pem.write_to_path(ca_file)
    port = _free_port()
    controller = Controller(smtp, hostname="127.0.0.1", port=port, ssl_context=server_ctx)
    controller.start()
    try:
        with channels(smtp_url=f"smtps://127.0.0.1:{port}", smtp_ca_file=ca_file) as c:
            assert c.send(message("email", "tls@daton.gov.vn")).ok
    finally:
        controller.stop()
    assert smtp.to("tls@daton.gov.vn")  # TLS from the first byte (SMTP_SSL, CA checked)
    with channels(smtp_url=f"smtp://127.0.0.1:{_free_port()}") as c:
        down = c.send(message("email", "hoa@daton.gov.vn"))
    assert not down.ok and not down.permanent and "Connection refused" in down.error


ZNS_SETTINGS = {"zns_access_token": "zalo-token-bi-mat", "zns_template_id": "301234",
                "zns_api_url": ZNS}


def test_zns_sends_the_template_to_the_zalo_phone(httpx_mock):
    httpx_mock.add_response(url=ZNS, method="POST", json={
        "error": 0, "message": "Success", "data": {"msg_id": "a1b2", "quota": {
            "dailyQuota": "500", "remainingQuota": "499"}}})
    with channels(**ZNS_SETTINGS) as c:
        result = c.send(message("zalo", "0912 345 678", "last_hours"))
    assert result.ok and result.detail == {"msg_id": "a1b2"}
    sent = httpx_mock.get_requests()[0]
    assert sent.headers["access_token"] == "zalo-token-bi-mat"
    assert json.loads(sent.content) == {
        "phone": "84912345678", "template_id": "301234", "tracking_id": "41",
        "template_data": {"unit": "Xã Đa Tốn", "week": "2024-W36",
                          "deadline": "15:00 thứ Năm 05/09/2024", "status": "sắp hết hạn",
                          "link": PAYLOAD["link"]}}


@pytest.mark.parametrize(("answer", "error", "permanent"), [
    ({"json": {"error": -144, "message": "OA has exceeded daily quota"}},
     "quota: ZNS -144 OA has exceeded daily quota", False),
    ({"json": {"error": -115, "message": "Out of quota"}}, "quota: ZNS -115 Out of quota", False),
    ({"status_code": 429}, "quota: HTTP 429", False),
    ({"json": {"error": -108, "message": "Phone number invalid"}},
     "ZNS -108: Phone number invalid", True),
    ({"json": {"error": -100, "message": "Unknown error"}}, "ZNS -100: Unknown error", False),
    ({"status_code": 500}, "HTTP 500", False),
    ({"status_code": 200, "text": "<html>proxy</html>"}, "ZNS: câu trả lời không phải JSON",
     False),
])
def test_zns_failures_are_recorded(httpx_mock, answer, error, permanent):
    httpx_mock.add_response(url=ZNS, **answer)
    with channels(**ZNS_SETTINGS) as c:
        result = c.send(message("zalo", "0912345678"))
    assert (result.ok, result.error, result.permanent) == (False, error, permanent)


@pytest.mark.parametrize(("exc", "error"), [
    (httpx.ReadTimeout("timed out"), "timeout"),
    (httpx.ConnectError("[Errno 111] Connection refused"),
     "ConnectError: [Errno 111] Connection refused"),
])
@pytest.mark.parametrize("channel", ["zalo", "sms"])
def test_http_channels_on_timeouts_and_refused_connections(httpx_mock, exc, error, channel):
    httpx_mock.add_exception(exc)
    with channels(**ZNS_SETTINGS, sms_url=SMS) as c:
        result = c.send(message(channel, "0912345678"))
    assert (result.ok, result.error, result.permanent) == (False, error, False)


SMS_SETTINGS = {
    "sms_url": SMS, "sms_method": "PUT", "sms_auth_header": "Authorization: Basic YWJjOmRlZg==",
    "sms_body": json.dumps({"Phone": "{phone}", "Content": "{text}", "Brandname": "UBND GIALAM",
                            "SmsType": "2", "RequestId": "tiendo-{id}"}),
    "sms_success": "CodeResult=100"}


def test_sms_through_a_configured_gateway(httpx_mock):
    httpx_mock.add_response(url=SMS, method="PUT", json={"CodeResult": "100", "SMSID": "x1"})
    with channels(**SMS_SETTINGS) as c:
        assert c.send(message("sms", "0912345678")).ok
    sent = httpx_mock.get_requests()[0]
    assert sent.headers["Authorization"] == "Basic YWJjOmRlZg=="
    assert json.loads(sent.content) == {
        "Phone": "0912345678", "Brandname": "UBND GIALAM", "SmsType": "2",
        "RequestId": "tiendo-41",
        "Content": "Tien Do: Xa Da Ton chua gui bao cao tuan 2024-W36, sap den han "
                   "(15:00 thu Nam 05/09/2024). Gui tai " + PAYLOAD["link"]}


@pytest.mark.parametrize(("answer", "error", "permanent"), [
    ({"json": {"CodeResult": "103", "ErrorMessage": "Balance not enough"}},
     'gateway: CodeResult=103 ({"CodeResult":"103","ErrorMessage":"Balance not enough"})',
     False),
    ({"status_code": 429, "text": "Too many"}, "quota: HTTP 429", False),
    ({"status_code": 500, "text": "Lỗi máy chủ"}, "HTTP 500: Lỗi máy chủ", False),
    ({"status_code": 401, "text": "Sai khoá"}, "HTTP 401: Sai khoá", True),
])
def test_sms_failures_are_recorded(httpx_mock, answer, error, permanent):
    httpx_mock.add_response(url=SMS, **answer)
    with channels(**SMS_SETTINGS) as c:
        result = c.send(message("sms", "0912345678"))
    assert (result.ok, result.error, result.permanent) == (False, error, permanent)


def test_a_channel_without_settings_is_off():
    with channels() as c:
        assert c.configured() == []
        result = c.send(message("sms", "0912345678"))
    assert not result.ok and "chưa được cấu hình" in result.error


@pytest.fixture
def smtp():  # noqa: ANN201 - a sink of this module's own (these tests need no database)
    sink, controller = start_sink()
    yield sink
    controller.stop()
