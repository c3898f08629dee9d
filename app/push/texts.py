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
}

# Buttons on a notification, by action name.
ACTION_TITLES: dict[str, dict[str, str]] = {
    "call": {"en": "Call", "zh-CN": "拨打"},
    "done": {"en": "Done", "zh-CN": "完成"},
    "snooze": {"en": "Snooze 1 h", "zh-CN": "1 小时后提醒"},
    "open": {"en": "Open", "zh-CN": "打开"},
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
