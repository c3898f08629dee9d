"""Normal forms that match companies, phones and emails however they were typed."""
import pytest

from app.services.normalize import InvalidPhone, company_key, email_key, phone_e164, search_text


@pytest.mark.parametrize("a,b", [
    ("Acme Co., Ltd.", "ACME co ltd"),
    ("Acme Co., Ltd.", "acme"),
    ("Acme Corporation", "ACME CORP."),
    ("Globex Holdings Group", "globex"),
    ("上海精密机械有限公司", "上海精密机械"),
    ("上海精密机械股份有限公司", "上海精密机械 集团"),
    ("Ｆｕｌｌｗｉｄｔｈ　Ｉｎｃ", "Fullwidth"),  # NFKC folds full-width forms
    ("Straße GmbH", "STRASSE"),  # casefold, not lower
    ("O'Brien & Sons Ltd", "obrien sons"),
])
def test_company_key_matches_the_same_company(a, b):
    assert company_key(a) == company_key(b) != ""


@pytest.mark.parametrize("a,b", [
    ("Acme", "Acme Tools"), ("Globex", "Initech"), ("Co", "Ltd"),
])
def test_company_key_keeps_different_companies_apart(a, b):
    assert company_key(a) != company_key(b)


def test_company_key_edge_cases():
    assert company_key("") == ""
    assert company_key(None) == ""
    assert company_key("   ") == ""
    assert company_key("Co., Ltd.") == "co"  # never strips a name down to nothing
    assert company_key("有限公司") != ""  # a suffix alone still leaves a key
    assert company_key("精密有限公司") == company_key("精密公司") == "精密"
    assert company_key("Acme Co., Ltd.") == "acme"


@pytest.mark.parametrize("raw,expected", [
    ("+86 138-0013-8000", "+8613800138000"),
    ("13800138000", "+8613800138000"),
    ("138 0013 8000", "+8613800138000"),
    ("(021) 6888-8888", "+862168888888"),
    ("+1 (212) 555-0100", "+12125550100"),
    ("0086 138 0013 8000", "+8613800138000"),
    ("+44 20 7946 0958", "+442079460958"),
])
def test_phone_e164(raw, expected):
    assert phone_e164(raw, "CN") == expected


def test_phone_e164_uses_the_default_region():
    assert phone_e164("(212) 555-0100", "US") == "+12125550100"
    assert phone_e164("2125550100", "US") != phone_e164("2125550100", "CN")


@pytest.mark.parametrize("blank", [None, "", "   ", "\t"])
def test_phone_e164_blank_is_none(blank):
    assert phone_e164(blank, "CN") is None


@pytest.mark.parametrize("raw", ["abc", "12", "+86 1", "+", "++86 138", "1" * 40,
                                 "not a phone", "+999 123456", "☎☎☎"])
def test_phone_e164_rejects_garbage(raw):
    with pytest.raises(InvalidPhone):
        phone_e164(raw, "CN")


@pytest.mark.parametrize("raw,expected", [
    ("Wei+crm@Acme.cn", "wei@acme.cn"),
    ("wei@acme.cn", "wei@acme.cn"),
    ("  WEI@ACME.CN  ", "wei@acme.cn"),
    ("wei+a+b@acme.cn", "wei@acme.cn"),
    ("odd@local@acme.cn", "odd@local@acme.cn"),
    ("no-at-sign", "no-at-sign"),
    ("@acme.cn", "@acme.cn"),
])
def test_email_key(raw, expected):
    assert email_key(raw) == expected


@pytest.mark.parametrize("blank", [None, "", "  "])
def test_email_key_blank_is_none(blank):
    assert email_key(blank) is None


def test_email_key_makes_equal_addresses_equal():
    assert email_key("Wei+crm@Acme.cn") == email_key("wei@acme.cn") == email_key("WEI@acme.CN")
    assert email_key("wei@acme.cn") != email_key("wei@acme.com")


def test_search_text():
    assert search_text("  ＡＣＭＥ  ") == "acme"
    assert search_text(None) == ""
