"""Normal forms used to match people and companies however they were typed."""
import re
import unicodedata

import phonenumbers

# Legal-form words dropped from the end of a company name: "Acme Co., Ltd." == "ACME co ltd".
_NAME_SUFFIXES = {
    "co", "company", "corp", "corporation", "inc", "incorporated", "ltd", "limited", "llc",
    "plc", "gmbh", "ag", "sa", "srl", "bv", "pte", "pty", "group", "holdings",
}
_CN_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def company_key(name: str) -> str:
    """Duplicate-matching key for a company or person name."""
    text = unicodedata.normalize("NFKC", name or "").casefold().strip()
    changed = True
    while changed:
        changed = False
        for suffix in _CN_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)].rstrip()
                changed = True
    tokens = _NON_WORD.sub(" ", text).split()
    while len(tokens) > 1 and tokens[-1] in _NAME_SUFFIXES:
        tokens.pop()
    return "".join(tokens)


def search_text(text: str) -> str:
    """Lower-cased, width-folded text for substring search."""
    return unicodedata.normalize("NFKC", text or "").casefold().strip()


class InvalidPhone(ValueError):
    pass


def phone_e164(raw: str | None, default_region: str) -> str | None:
    """E.164 form of a phone number typed in any common format; None for blank input."""
    if raw is None or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone("Not a phone number.") from exc
    if not phonenumbers.is_possible_number(number):
        raise InvalidPhone("Not a possible phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def email_key(raw: str | None) -> str | None:
    """Case-insensitive email without a ``+tag``: ``Wei+crm@Acme.cn`` -> ``wei@acme.cn``."""
    if raw is None or not raw.strip():
        return None
    local, _, domain = raw.strip().casefold().rpartition("@")
    if not local:
        return raw.strip().casefold()
    return f"{local.split('+', 1)[0]}@{domain}"
