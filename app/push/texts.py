"""The words of push notifications, in English and Simplified Chinese.

A notification stores its ``kind`` and ``params``; the words are chosen when it is sent,
in the recipient's language then. To add a notice, add its kind here with a title and a
body for each language (``str.format`` fields come from ``params``).
"""
LANGUAGES = ("en", "zh-CN")

NOTICES: dict[str, dict[str, tuple[str, str]]] = {
    "test": {
        "en": ("Reminders are on", "This is how a follow-up reminder will look."),
        "zh-CN": ("提醒已开启", "跟进提醒将像这样显示。"),
    },
    "lead_recycled": {
        "en": ("Lead back in the pool", "{lead}: no activity for {days} days, so it went back "
               "to the pool."),
        "zh-CN": ("线索已回到公海", "{lead}：{days} 天没有跟进，已退回公海。"),
    },
    # Expense claims (app.services.claim_approvals): to the next approver, then to the submitter.
    "expense_waiting": {
        "en": ("Expense claim waiting for you", "{owner}: {title}, {total} {currency}"),
        "zh-CN": ("有报销单待你处理", "{owner}：{title}，{total} {currency}"),
    },
    "expense_approved": {
        "en": ("Expense claim approved", "{title}, {total} {currency}: approved for payment."),
        "zh-CN": ("报销单已批准", "{title}，{total} {currency}：已批准，等待付款。"),
    },
    "expense_rejected": {
        "en": ("Expense claim returned", "{title}: {reason}"),
        "zh-CN": ("报销单被退回", "{title}：{reason}"),
    },
    "expense_paid": {
        "en": ("Expense claim paid", "{title}, {total} {currency} paid (ref. {reference})."),
        "zh-CN": ("报销单已付款", "{title}，{total} {currency} 已付款（凭证号 {reference}）。"),
    },
    # The team's week and month (app.push.team_summary), to leads and managers.
    "team_week": {
        "en": ("Week {week}: team at {percent}% of target",
               "Expected by now: {expected}%. Stale deals: {stale}. Claims waiting: {claims}."),
        "zh-CN": ("第 {week} 周：团队完成目标 {percent}%",
                  "按进度应达 {expected}%。{stale} 个商机停滞，{claims} 张报销单待审批。"),
    },
    "team_week_no_target": {
        "en": ("Week {week}: your team", "No team target set. Stale deals: {stale}. "
               "Claims waiting: {claims}."),
        "zh-CN": ("第 {week} 周：你的团队", "尚未设定团队目标。{stale} 个商机停滞，"
                  "{claims} 张报销单待审批。"),
    },
    "team_month": {
        "en": ("{month}: team at {percent}% of target", "Last month's result, per rep on Team."),
        "zh-CN": ("{month}：团队完成目标 {percent}%", "上月结果，每位销售的明细见“团队”。"),
    },
    "team_month_no_target": {
        "en": ("{month}: the month is closed", "No team target was set. See each rep on Team."),
        "zh-CN": ("{month}：本月已结束", "未设定团队目标。每位销售的明细见“团队”。"),
    },
}

# Buttons on a notification, by action name.
ACTION_TITLES: dict[str, dict[str, str]] = {
    "call": {"en": "Call", "zh-CN": "拨打"},
    "done": {"en": "Done", "zh-CN": "完成"},
    "snooze": {"en": "Snooze 1 h", "zh-CN": "1 小时后提醒"},
    "open": {"en": "Open", "zh-CN": "打开"},
    "approve": {"en": "Approve", "zh-CN": "批准"},
    "reject": {"en": "Reject", "zh-CN": "驳回"},
}


class _Blank(dict):
    """Missing params render as nothing rather than failing a whole batch."""

    def __missing__(self, key):
        return ""


def language(locale: str | None) -> str:
    return locale if locale in LANGUAGES else "en"


def render_notice(kind: str, locale: str | None, params: dict) -> tuple[str, str]:
    words = NOTICES.get(kind)
    if words is None:
        return "Fieldline", ""
    title, body = words[language(locale)]
    values = _Blank(params or {})
    return title.format_map(values), body.format_map(values)


def action_title(action: str, locale: str | None) -> str:
    titles = ACTION_TITLES.get(action)
    return titles[language(locale)] if titles else action


# Reminders: "Call 王伟 · Acme 10:00" -----------------------------------------------------------

REMINDER_VERBS: dict[str, dict[str, str]] = {
    "call": {"en": "Call", "zh-CN": "致电"},
    "email": {"en": "Email", "zh-CN": "邮件"},
    "visit": {"en": "Visit", "zh-CN": "拜访"},
    "meeting": {"en": "Meet", "zh-CN": "会见"},
    "task": {"en": "Follow up", "zh-CN": "跟进"},
}
NO_CUSTOMER = {"en": "Follow-up", "zh-CN": "跟进事项"}


def reminder_title(action: str | None, contact: str | None, customer: str | None,
                   when: str, locale: str | None) -> str:
    lang = language(locale)
    verb = REMINDER_VERBS.get(action or "task", REMINDER_VERBS["task"])[lang]
    who = " · ".join(name for name in (contact, customer) if name) or NO_CUSTOMER[lang]
    return f"{verb} {who} {when}"


def digest_text(today: int, overdue: int, locale: str | None) -> tuple[str, str]:
    """The morning digest: "5 follow-ups today, 2 overdue"."""
    if language(locale) == "zh-CN":
        body = f"今天 {today} 个跟进"
        if overdue:
            body += f"，{overdue} 个已逾期"
        return "今日跟进", body
    body = f"{today} follow-up{'' if today == 1 else 's'} today"
    if overdue:
        body += f", {overdue} overdue"
    return "Your day", body
