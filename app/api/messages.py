"""The languages of error messages: English (as raised) and Simplified Chinese.

``translate(message, locale)`` gives the message in the user's language, by its key: a
message is a plain English ``str`` (its own key) or a ``Text`` (app/services/errors.py)
carrying its template and parameters (marshmallow's "Must be one of: {choices}.", lengths,
ranges through app/api/validate.py, our "At least {min} characters."). Every key is in
``CATALOGUE``; the English is never read back. A message not found stays English: never
an error. tests/api/test_error_language.py fails when a message raised in app/ is missing
here.
"""
CHINESE = "zh-CN"

CATALOGUE: dict[str, str] = {
    # app/api/errors.py
    "Not found.": "未找到。",
    "This method is not allowed here.": "此处不支持该请求方法。",
    "The data sent is not valid.": "提交的数据无效。",
    "The JSON body is nested too deeply.": "JSON 数据嵌套层级过深。",
    "Text may not contain NUL characters or lone surrogates.":
        "文本不能包含 NUL 字符或不成对的代理字符。",
    "This record was changed by someone else. Reload it.": "此记录已被他人修改，请重新加载。",
    "This conflicts with existing data.": "与现有数据冲突。",
    "Something went wrong on our side. It has been logged.": "服务器出错了，我们已记录此问题。",
    # app/api/request_auth.py
    "Sign in first.": "请先登录。",
    "Missing or wrong X-CSRF-Token header.": "缺少 X-CSRF-Token 请求头，或其值不正确。",
    # app/api/*.py
    'If-Match must be a record version, like "3".': "If-Match 必须是记录版本号，例如 \"3\"。",
    "Only an administrator can do this.": "只有管理员可以执行此操作。",
    "Only an administrator can change other users.": "只有管理员可以修改其他用户。",
    "You may change only your name, language, timezone and reminder settings.":
        "你只能修改自己的姓名、语言、时区和提醒设置。",
    "Too many failed sign-ins for this account. Wait a few minutes.":
        "此账号登录失败次数过多，请几分钟后再试。",
    "Too many failed sign-ins from this address. Wait a few minutes.":
        "此网络地址登录失败次数过多，请几分钟后再试。",
    "Wrong email or password.": "邮箱或密码错误。",
    "Opportunities are not available yet.": "商机功能暂未开放。",
    "A task needs a due time.": "任务需要设置截止时间。",
    "Each reason only once.": "每个原因只能出现一次。",
    'Send money as a string, like "12.50".': '金额请以字符串发送，例如 "12.50"。',
    "At most two decimal places.": "最多两位小数。",
    "Not with updated_since.": "不能与 updated_since 同时使用。",
    # app/services/*.py
    "Unknown timezone; use an IANA name like Asia/Shanghai.":
        "未知时区，请使用 IANA 时区名称，例如 Asia/Shanghai。",
    "Unknown team.": "团队不存在。",
    "Unknown user.": "用户不存在。",
    "Unknown customer.": "客户不存在。",
    "Unknown follow-up.": "跟进事项不存在。",
    "A user with this email already exists.": "已有用户使用此邮箱。",
    "Already in use.": "已被使用。",
    "A team with this name already exists.": "已有同名团队。",
    "A team cannot be inside itself.": "团队不能隶属于自身。",
    "User not found.": "未找到用户。",
    "Team not found.": "未找到团队。",
    "Only team leads and managers have a team home.": "只有团队主管和经理才有团队主页。",
    "Give a default number of days.": "请填写默认天数。",
    "Unknown stage: {key}.": "阶段不存在：{key}。",
    "Token not found.": "未找到令牌。",
    "Customer not found.": "未找到客户。",
    "Contact not found.": "未找到联系人。",
    "Activity not found.": "未找到活动。",
    "This id is already used by another record.": "此 ID 已被其他记录使用。",
    "You may only give records to yourself or to members of teams you lead.":
        "你只能把记录分配给自己或你带领的团队成员。",
    "Not a valid cursor.": "分页游标无效。",
    "Not a phone number.": "不是有效的电话号码。",
    "Not a possible phone number.": "电话号码位数不正确。",
    "A contact cannot report to themselves.": "联系人不能向自己汇报。",
    "Must be a contact of the same customer.": "必须是同一客户的联系人。",
    "That would make a reporting loop.": "这会形成循环汇报关系。",
    "Send it together with lat and lng.": "请与 lat 和 lng 一起提交。",
    ("The phone knows its position only to {input} m; a pin needs {max} m or better. "
     "Try again outside or by a window."):
        "手机定位精度只有 {input} 米；标注客户位置需要 {max} 米以内的精度。请到室外或窗边再试。",
    "Only its owner or their team lead can change this activity.":
        "只有负责人或其团队主管可以修改此活动。",
    "Must be a contact of the chosen customer.": "必须是所选客户的联系人。",
    "Not one of your follow-ups.": "这不是你的跟进事项。",
    "A follow-up needs a due time.": "跟进事项需要设置截止时间。",
    # app/services/leads.py
    "Lead not found.": "未找到线索。",
    "This lead was converted; it can no longer be changed.": "此线索已转化，不能再修改。",
    "Claim this lead before you change it.": "请先领取此线索再修改。",
    "Convert a lead to make it a customer.": "请通过转化把线索变为客户。",
    "Someone else claimed this lead first.": "此线索已被他人抢先领取。",
    "Only its owner or their team lead can release this lead.":
        "只有负责人或其团队主管可以释放此线索。",
    "Only its owner or their team lead can convert this lead.":
        "只有负责人或其团队主管可以转化此线索。",
    "Only an open lead can go back to the pool.": "只有未关闭的线索才能退回线索池。",
    "This line's total is too large.": "此行金额过大。",
    "Together the lines are more than an amount can be.": "各行合计超出金额上限。",
    "Only a team lead, a manager or an administrator can assign leads.":
        "只有团队主管、经理或管理员可以分配线索。",
    "Unknown lead.": "线索不存在。",
    "Claim this lead before you log activities on it.": "请先领取此线索再记录活动。",
    "Only an open lead can be converted.": "只有未结线索可以转化。",
    # app/services/pipeline.py, catalogue.py, opportunities.py, app/api/opportunities.py
    "Not a currency code.": "不是有效的货币代码。",
    "Not a tile URL: it needs http(s), a host and the z, x and y placeholders.":
        "不是有效的瓦片地址：需要 http(s)、主机名以及 z、x、y 占位符。",
    "Letters or digits, one per subdomain.": "每个子域名一个字母或数字。",
    "Stage not found.": "未找到阶段。",
    "A stage with this name already exists.": "已有同名阶段。",
    "Won and lost are fixed stages.": "赢单和输单是固定阶段。",
    "The pipeline has no won or lost stage.": "销售流程缺少赢单或输单阶段。",
    "The pipeline has no open stage.": "销售流程没有进行中的阶段。",
    "Unknown stage.": "阶段不存在。",
    "Use win or lose to close a deal.": "请用赢单或输单来关闭商机。",
    "Only a manager or an administrator can change products.": "只有经理或管理员可以修改产品。",
    "Each minimum quantity only once.": "每个起订量只能出现一次。",
    "Product not found.": "未找到产品。",
    "Unknown product.": "产品不存在。",
    "The product is priced in another currency.": "该产品以其他货币定价。",
    "Give a unit price or a product.": "请填写单价或选择产品。",
    "Must be between 0 and 100.": "必须在 0 到 100 之间。",
    "This deal is closed; reopen it first.": "此商机已关闭，请先重新打开。",
    "Say why the deal was lost.": "请说明输单原因。",
    "Only a team lead, a manager or an administrator can reopen a deal.":
        "只有团队主管、经理或管理员可以重新打开商机。",
    "Only a lost deal can be reopened.": "只有输单的商机可以重新打开。",
    "Opportunity not found.": "未找到商机。",
    # app/services/orders.py
    "Order not found.": "未找到订单。",
    "Only finance or the order's owner can record payments.": "只有财务或订单负责人可以登记收款。",
    "A cancelled order takes no payments.": "已取消的订单不能收款。",
    "Must be more than zero.": "必须大于零。",
    "Only finance, a manager or an administrator can cancel an order.":
        "只有财务、经理或管理员可以取消订单。",
    "An order with payments cannot be cancelled.": "已有收款的订单不能取消。",
    # app/services/reports.py
    "Must be on or before to.": "必须早于或等于结束日期。",
    # app/services/targets.py, app/api/targets.py, app/api/settings.py (targets)
    "Only a team lead, a manager or an administrator can set targets.":
        "只有团队主管、经理或管理员可以设置指标。",
    "Give either owner_id or team_id.": "请提供 owner_id 或 team_id 其中之一。",
    "You may set targets only for the teams you lead and their members.":
        "你只能为自己带领的团队及其成员设置指标。",
    "A whole number for this metric.": "此指标须为整数。",
    "Must be at least the value.": "不能低于指标值。",
    "Only money metrics have a currency.": "只有金额类指标才有币种。",
    "Target not found.": "未找到指标。",
    "There is already a target for this metric, month and currency.":
        "此指标在该月份和币种下已有设定。",
    "Not a period: a month (2026-12), a quarter (2026-Q4) or a year (2026).":
        "不是有效的期间：请使用月份（2026-12）、季度（2026-Q4）或年份（2026）。",
    "Not a month (YYYY-MM).": "不是有效的月份（YYYY-MM）。",
    "Each day only once.": "每一天只能出现一次。",
    "Each date only once.": "每个日期只能出现一次。",
    "Not a date (YYYY-MM-DD).": "不是有效的日期（YYYY-MM-DD）。",
    # expense claims (app/api/expenses.py, app/services/claims.py, claim_approvals.py, receipts.py)
    "Expense claim not found.": "未找到报销单。",
    "Receipt not found.": "未找到票据。",
    "A three-letter currency code, like CNY.": "请使用三位字母的货币代码，例如 CNY。",
    "All items of a claim must be in the claim's currency.":
        "报销单的所有明细必须使用报销单的币种。",
    "Only the submitter can change this claim.": "只有提交人可以修改此报销单。",
    "A submitted claim cannot be changed.": "已提交的报销单不能修改。",
    "Each item id only once.": "每个明细 ID 只能出现一次。",
    "Only the submitter can submit this claim.": "只有提交人可以提交此报销单。",
    "This claim is already submitted.": "此报销单已提交。",
    "Add at least one item before submitting.": "提交前请至少添加一条明细。",
    "The claim's total may be at most 9,999,999,999.99: split it into several claims.":
        "报销单合计金额不能超过 9,999,999,999.99，请拆分为多张报销单。",
    "This claim is not waiting for a decision.": "此报销单当前不需要审批。",
    "This claim has moved on to another step.": "此报销单已进入其他审批环节。",
    "Nobody can approve or pay their own claim.": "任何人都不能审批或支付自己的报销单。",
    "This claim is waiting for someone else's decision.": "此报销单正在等待其他人审批。",
    "You already approved an earlier step of this claim; someone else decides this one.":
        "你已审批过此报销单的前一环节，此环节须由其他人审批。",
    "Say why the claim is rejected.": "请说明驳回原因。",
    "A payment reference is required.": "请填写付款凭证号。",
    "Only an approved claim can be paid.": "只有已批准的报销单才能付款。",
    "Only a cashier can pay claims.": "只有出纳可以支付报销单。",
    "Someone else decided this claim at the same moment. Reload it to see where it is now.":
        "其他人刚刚同时处理了此报销单，请重新加载查看当前状态。",
    "The file is empty.": "文件为空。",
    "Send a photo (JPEG, PNG, WebP, HEIC) or a PDF.": "请上传照片（JPEG、PNG、WebP、HEIC）或 PDF。",
    "A claim can have at most 30 receipts.": "每张报销单最多 30 张票据。",
    "A receipt may be at most 10 MB.": "票据文件不能超过 10 MB。",
    "This claim was changed (or submitted) at the same moment. Reload it and try again.":
        "此报销单刚刚被修改（或已提交），请重新加载后再试。",
    "Must not be after 'to'.": "不能晚于结束日期。",
    "At most three years at a time.": "一次最多查询三年。",
    # webargs
    "Invalid JSON body.": "JSON 格式无效。",
    # marshmallow: fields and schemas
    "Missing data for required field.": "此字段为必填项。",
    "Field may not be null.": "此字段不能为空。",
    "Unknown field.": "未知字段。",
    "Invalid input type.": "输入类型无效。",
    "Invalid type.": "类型无效。",
    "Invalid value.": "值无效。",
    "Invalid input.": "输入无效。",
    "Not a valid boolean.": "不是有效的布尔值。",
    "Not a valid number.": "不是有效的数字。",
    "Not a valid integer.": "不是有效的整数。",
    "Number too large.": "数值过大。",
    "Special numeric values (nan or infinity) are not permitted.":
        "不允许使用特殊数值（nan 或 infinity）。",
    "Not a valid string.": "不是有效的字符串。",
    "Not a valid utf-8 string.": "不是有效的 UTF-8 字符串。",
    "Not a valid email address.": "邮箱地址格式不正确。",
    "Not a valid URL.": "网址格式不正确。",
    "Not a valid UUID.": "不是有效的 UUID。",
    "Not a valid datetime.": "不是有效的日期时间。",
    "Not a valid aware datetime.": "不是有效的日期时间（需包含时区）。",
    "Not a valid naive datetime.": "不是有效的日期时间（不能包含时区）。",
    "Not a valid date.": "不是有效的日期。",
    "Not a valid time.": "不是有效的时间。",
    "Not a valid period of time.": "不是有效的时长。",
    "Not a valid mapping type.": "不是有效的对象。",
    "Not a valid list.": "不是有效的列表。",
    "Not a valid tuple.": "不是有效的元组。",
    "Not a valid IP address.": "不是有效的 IP 地址。",
    "Not a valid IP interface.": "不是有效的 IP 接口。",
    "Not a valid IPv4 address.": "不是有效的 IPv4 地址。",
    "Not a valid IPv4 interface.": "不是有效的 IPv4 接口。",
    "Not a valid IPv6 address.": "不是有效的 IPv6 地址。",
    "Not a valid IPv6 interface.": "不是有效的 IPv6 接口。",
    "String does not match expected pattern.": "格式不正确。",
    # app/services/push.py, app/api/push.py
    "Push reminders are not set up on this server.": "此服务器尚未配置推送提醒。",
    "This device is not subscribed.": "此设备未开启提醒。",
    "Turn on reminders on this device first.": "请先在此设备上开启提醒。",
    "The endpoint must be an https URL of a push service.": "推送地址必须是推送服务的 https 网址。",
    "This push service is not accepted.": "不接受此推送服务。",
    "Not a P-256 public key.": "不是有效的 P-256 公钥。",
    "Not a 16-byte auth secret.": "不是有效的 16 字节认证密钥。",
    # werkzeug's descriptions (the message when nothing more specific was given)
    "The browser (or proxy) sent a request that this server could not understand.":
        "服务器无法理解此请求。",
    "The method is not allowed for the requested URL.": "此网址不支持该请求方法。",
    "The requested URL was not found on the server. If you entered the URL manually please "
    "check your spelling and try again.": "未找到请求的网址。如果是手动输入的，请检查拼写后重试。",
    "The data value transmitted exceeds the capacity limit.": "提交的数据超出大小限制。",
    "The length of the requested URL exceeds the capacity limit for this server. The request "
    "cannot be processed.": "请求的网址过长，无法处理。",
    "The server does not support the media type transmitted in the request.":
        "服务器不支持请求中的数据类型。",
    "This user has exceeded an allotted request count. Try again later.":
        "请求次数过多，请稍后再试。",
    "One or more header fields exceeds the maximum size.": "请求头过大。",
    "The server encountered an internal error and was unable to complete your request. Either "
    "the server is overloaded or there is an error in the application.":
        "服务器内部错误，无法完成请求。",
    "The server is temporarily unable to service your request due to maintenance downtime or "
    "capacity problems. Please try again later.": "服务暂时不可用，请稍后再试。",
}

# Messages with parameters, by template (the key a ``Text`` carries): marshmallow's, through
# app/api/validate.py, and ours.
_COMPARISONS = {
    "greater than or equal to": "大于或等于",
    "greater than": "大于",
    "less than or equal to": "小于或等于",
    "less than": "小于",
}
_LOWER, _UPPER = ("greater than or equal to", "greater than"), ("less than or equal to",
                                                                "less than")
CATALOGUE.update({
    "Must be one of: {choices}.": "必须是以下之一：{choices}。",
    "Length must be between {min} and {max}.": "长度必须在 {min} 到 {max} 之间。",
    "Length must be {equal}.": "长度必须为 {equal}。",
    "Longer than maximum length {max}.": "长度不能超过 {max}。",
    "Shorter than minimum length {min}.": "长度不能少于 {min}。",
    **{f"Must be {low} {{min}} and {high} {{max}}.":
       f"必须{_COMPARISONS[low]} {{min}}，且{_COMPARISONS[high]} {{max}}。"
       for low in _LOWER for high in _UPPER},
    **{f"Must be {low} {{min}}.": f"必须{_COMPARISONS[low]} {{min}}。" for low in _LOWER},
    **{f"Must be {high} {{max}}.": f"必须{_COMPARISONS[high]} {{max}}。" for high in _UPPER},
    "Must be equal to {other}.": "必须等于 {other}。",
    "One or more of the choices you made was in: {values}.": "所选项中不能包含：{values}。",
    "One or more of the choices you made was not in: {choices}.": "所选项只能是：{choices}。",
    # fields' own templates: at run time a field formats these itself ("Not a valid date.",
    # above); the "cannot be formatted" ones only on output, which a client never sees.
    "Not a valid {obj_type}.": "不是有效的 {obj_type}。",
    "Not a valid {awareness} {obj_type}.": "不是有效的 {awareness} {obj_type}。",
    '"{input}" cannot be formatted as a {obj_type}.': '"{input}" 无法格式化为 {obj_type}。',
    '"{input}" cannot be formatted as a date.': '"{input}" 无法格式化为日期。',
    "{input!r} cannot be formatted as a timedelta.": "{input!r} 无法格式化为时长。",
    # app/services/users.py
    "At least {min} characters.": "至少需要 {min} 个字符。",
    # app/services/leads.py
    "You already hold {cap} open leads, the most allowed. Release or convert one first.":
        "你已持有 {cap} 条未结线索，已达上限。请先释放或转化一条。",
    "This offline book is more than {days} days old: download it again from the start.":
        "离线客户库已超过 {days} 天未同步：请从头重新下载。",
    "Whose customers you see has changed: download the offline book again.":
        "你可查看的客户范围已变更：请重新下载离线客户库。",
    "{name} already holds {cap} open leads, the most allowed.":
        "{name} 已持有 {cap} 条未结线索，已达上限。",
    # app/services/orders.py
    "More than the {outstanding} outstanding.": "超过未收金额 {outstanding}。",
    # app/services/plans.py, app/api/plans.py, app/api/settings.py (day plans)
    "Follow-up not found.": "未找到跟进事项。",
    "Must be a follow-up of this stop's customer.": "必须是此站点客户的跟进事项。",
    "Must be on the plan's date.": "必须在计划当天。",
    "No point of this kind is saved.": "尚未保存此类地点。",
    "There is no plan for this day.": "这一天还没有计划。",
    "Set where the day starts first.": "请先设置当天的出发地点。",
    "Send a saved place or a point, not both.": "请发送已保存的地点或坐标，不能同时发送。",
    "Send lat and lng, or a saved place.": "请发送经纬度，或已保存的地点。",
    "Not a time (HH:MM).": "不是有效的时间（HH:MM）。",
    # app/services/targets.py
    "{month} is closed: its targets can no longer change.": "{month} 已关账，其指标不能再修改。",
    # app/services/records.py
    "This record was changed by someone else (now version {version}). Reload it and try again.":
        "此记录已被他人修改（当前版本 {version}），请重新加载后再试。",
})


def is_chinese(locale: str | None) -> bool:
    return bool(locale) and locale.split("-")[0].lower() == "zh"


def translate(message, locale: str | None):
    """``message`` in ``locale``; field-error structures (dicts of lists of messages) are
    translated throughout, keys (field names) kept. Unknown messages stay as they are."""
    if not is_chinese(locale):
        return message
    if isinstance(message, str):
        params = getattr(message, "params", None)
        known = CATALOGUE.get(getattr(message, "template", message))
        if known is None:
            return message
        return known.format(**params) if params else known
    if isinstance(message, dict):
        return {key: translate(value, locale) for key, value in message.items()}
    if isinstance(message, (list, tuple)):
        return [translate(value, locale) for value in message]
    return message
