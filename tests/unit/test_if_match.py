"""If-Match: every ETag the server hands out, compressed or weakened on the way, names its
version; anything else is refused (400 at the API)."""
import pytest

from app.api.common import parse_if_match


@pytest.mark.parametrize("header, version", [
    ('"3"', 3), ("3", 3), (' "3" ', 3), ('W/"3"', 3),
    ('"3:br"', 3), ('"3:gzip"', 3), ('"3:deflate"', 3), ('"3:zstd"', 3),  # Flask-Compress
    ('"3-gzip"', 3), ('"3-br"', 3), ('"3-gz"', 3),  # Apache mod_deflate, our shell files
    ('W/"3:br"', 3), ('W/"3-gzip"', 3), ('"12:BR"', 12), ('"999999999"', 999999999),
])
def test_versions_in_every_form_we_hand_out(header, version):
    assert parse_if_match(header) == version


@pytest.mark.parametrize("header", [None, "*", " * "])
def test_absent_or_any_means_no_guard(header):
    assert parse_if_match(header) is None


@pytest.mark.parametrize("header", [
    "", "garbage", '"abc"', '"1", "2"', '"1:br", "2"', '"9999999999"', '"-1"', '"3:"',
    '"3:compress-me"', '"3:br:gzip"', '"3-"', '"3 br"', 'W/', '"', "3:br3", "\u00e9",
])
def test_anything_else_is_refused(header):
    with pytest.raises(ValueError):
        parse_if_match(header)
