"""The robot messages and signatures against their documented shapes.

企业微信群机器人 (WeCom group robot), markdown type: POST JSON
``{"msgtype": "markdown", "markdown": {"content": "..."}}`` to the robot's
``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...``; content UTF-8, at most 4096
bytes; markdown with ``<font color="info|comment|warning">``; answer
``{"errcode": 0, "errmsg": "ok"}``.

钉钉自定义机器人 (DingTalk custom robot), markdown type:
``{"msgtype": "markdown", "markdown": {"title": "...", "text": "..."}}``. 加签: sign =
urlEncode(base64(HmacSHA256(key=secret, "<timestamp ms>\\n<secret>"))) in UTF-8, the URL
gets ``&timestamp=<ms>&sign=<sign>``; the timestamp must be within an hour of DingTalk's
clock. Their documentation's Python example: ``hmac.new(secret_enc,
string_to_sign_enc, digestmod=hashlib.sha256).digest()`` then
``urllib.parse.quote_plus(base64.b64encode(hmac_code))``.
"""

import base64
import hashlib
import hmac
import json
import urllib.parse

from integrations import formats
from integrations.formats import Notice

NOTICE = Notice(
    title="对账单已出具：ST-2026-000013",
    lines=[("品牌", "山野茶业"), ("金额", "¥11,719.74")],
    link="https://settle.example.com/admin/settlements/statement/13/change/",
)


def test_wecom_markdown_message_has_the_documented_shape():
    message = formats.wecom_message(NOTICE)
    assert set(message) == {"msgtype", "markdown"}
    assert message["msgtype"] == "markdown"
    assert set(message["markdown"]) == {"content"}
    assert message["markdown"]["content"] == (
        "**对账单已出具：ST-2026-000013**\n"
        '> 品牌：<font color="comment">山野茶业</font>\n'
        '> 金额：<font color="comment">¥11,719.74</font>\n'
        "[在管理后台查看](https://settle.example.com/admin/settlements/statement/13/change/)\n"
        '<font color="comment">— 代运营结算</font>'
    )
    alert = formats.wecom_message(Notice(title="付款逾期", alert=True))
    assert alert["markdown"]["content"].startswith('<font color="warning">**付款逾期**</font>')


def test_wecom_content_is_cut_to_4096_bytes():
    long = Notice(
        title="每日任务部分失败", lines=[("错误", "很长的错误信息" * 40)] * 30, link="https://x/"
    )
    content = formats.wecom_message(long)["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096
    assert content.endswith('<font color="comment">— 代运营结算</font>')
    assert "[在管理后台查看](https://x/)" in content


def test_dingtalk_markdown_message_has_the_documented_shape():
    message = formats.dingtalk_message(NOTICE)
    assert set(message) == {"msgtype", "markdown"}
    assert message["msgtype"] == "markdown"
    assert set(message["markdown"]) == {"title", "text"}
    assert message["markdown"]["title"] == "对账单已出具：ST-2026-000013"
    assert message["markdown"]["text"] == (
        "#### 对账单已出具：ST-2026-000013\n\n"
        "- 品牌：山野茶业\n"
        "- 金额：¥11,719.74\n\n"
        "[在管理后台查看](https://settle.example.com/admin/settlements/statement/13/change/)\n\n"
        "— 代运营结算"
    )


def _documented_sign(secret: str, timestamp: str) -> str:
    """DingTalk's own Python example, line by line."""
    secret_enc = secret.encode("utf-8")
    string_to_sign = f"{timestamp}\n{secret}"
    string_to_sign_enc = string_to_sign.encode("utf-8")
    hmac_code = hmac.new(secret_enc, string_to_sign_enc, digestmod=hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(hmac_code))


def test_dingtalk_signed_url_matches_its_documented_algorithm():
    secret = "SEC" + "0123456789abcdef" * 4
    timestamp = 1788000000123
    url = "https://oapi.dingtalk.com/robot/send?access_token=abc123"
    signed = formats.dingtalk_url(url, secret, timestamp)
    sign = _documented_sign(secret, str(timestamp))
    assert signed == f"{url}&timestamp={timestamp}&sign={sign}"
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(signed).query)
    assert query["access_token"] == ["abc123"] and query["timestamp"] == [str(timestamp)]
    # the sign is URL-encoded base64 of a 32-byte HMAC
    assert len(base64.b64decode(query["sign"][0])) == 32
    assert "+" not in signed.split("sign=")[1] and "/" not in signed.split("sign=")[1]
    # without a secret (keyword or IP security) the URL is sent as it is
    assert formats.dingtalk_url(url, "", timestamp) == url


def test_dingtalk_request_is_signed_at_each_try():
    url, body, headers = formats.request_for(
        format="dingtalk",
        url="https://oapi.dingtalk.com/robot/send?access_token=t",
        secret="SECx",
        body='{"msgtype":"markdown"}',
        event_id="e",
        event_type="statement.issued",
        now_ms=5,
    )
    assert url.endswith("&timestamp=5&sign=" + _documented_sign("SECx", "5"))
    assert "X-Signature" not in headers and body == b'{"msgtype":"markdown"}'


def test_json_request_signs_the_raw_body():
    body = formats.to_json(
        {
            "id": "e1",
            "type": "payment.recorded",
            "created_at": "t",
            "data": {"amount": "2793.00", "名": "茶"},
        }
    )
    url, raw, headers = formats.request_for(
        format="json",
        url="https://erp.example.com/hooks",
        secret="k" * 16,
        body=body,
        event_id="e1",
        event_type="payment.recorded",
        now_ms=0,
    )
    assert raw == body.encode("utf-8") and "茶" in raw.decode()  # UTF-8, not \\u escapes
    assert headers == {
        "Content-Type": "application/json",
        "X-Signature": "sha256=" + hmac.new(b"k" * 16, raw, hashlib.sha256).hexdigest(),
        "X-Event-Id": "e1",
        "X-Event-Type": "payment.recorded",
    }
    assert json.loads(raw)["data"]["amount"] == "2793.00"


def test_typed_text_cannot_make_markdown():
    sneaky = Notice(
        title="对账单有异议",
        lines=[("异议说明", "[点这里](http://evil.example) **urgent** <font>")],
    )
    content = formats.wecom_message(sneaky)["markdown"]["content"]
    assert "[点这里](http" not in content and "<font>" not in content
    assert "［点这里］（http://evil.example）" in content
    text = formats.dingtalk_message(sneaky)["markdown"]["text"]
    assert "](http://evil" not in text


def test_robot_answers():
    assert formats.robot_refusal('{"errcode":0,"errmsg":"ok"}') is None
    assert formats.robot_refusal('{"errcode":93000,"errmsg":"invalid webhook url"}') == (
        93000,
        "invalid webhook url",
    )
    assert formats.robot_refusal("ok") is None  # not a robot's answer
