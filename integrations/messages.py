"""Messages of the webhooks (constants, so tests assert them exactly). Bilingual
"中文 / English": the API shows both, an admin page the half of its language."""

URL_SCHEME = "地址必须以 http:// 或 https:// 开头 / the URL must start with http:// or https://"
URL_NO_HOST = "地址缺少主机名 / the URL has no host"
URL_CREDENTIALS = "地址中不能包含用户名或密码 / the URL may not contain a user name or password"
URL_PORT = "地址的端口无效 / the URL's port is not valid"
URL_UNRESOLVED = "无法解析主机名 {host} / the host {host} cannot be resolved"
URL_REFUSED = (
    "不允许推送到内网、本机或保留地址（{address}）/ "
    "private, loopback, link-local and reserved addresses are refused ({address})"
)
EVENTS_REQUIRED = "请至少选择一个事件 / choose at least one event"
EVENT_UNKNOWN = "未知的事件类型：{event} / unknown event type: {event}"
SECRET_REQUIRED = (
    "JSON 格式需要签名密钥（至少 16 个字符）/ "
    "the json format needs a signing secret of at least 16 characters"
)
AGENCY_REQUIRED = "请指定代运营方 / name the agency"
AGENCY_NOT_AGENCY = "只能为代运营方设置推送 / webhooks belong to an agency, not a brand"
AGENCY_NOT_FOUND = "代运营方不存在或不在您的权限范围内 / no such agency in your scope"
AGENCY_FIXED = "推送所属的代运营方不能更改 / a webhook's agency cannot be changed"

# What a failed try records (the attempt's error, cut to 500 characters).
REDIRECT_NOT_FOLLOWED = "重定向未跟随（{location}）/ redirect not followed ({location})"
ROBOT_ERROR = (
    "机器人返回错误 errcode={errcode}：{errmsg} / the robot refused: errcode={errcode} {errmsg}"
)
SUBSCRIPTION_INACTIVE = "推送已停用，不再发送 / the webhook is inactive: not sent"

DISABLED_SUBJECT = "推送已停用：{name} / Webhook disabled: {name}"
