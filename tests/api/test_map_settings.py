"""The Near me map's settings: tile URL, credit line, zoom and datum; the app page's CSP
lets exactly the tile host in; Leaflet is served from its PyPI package, cached a year and
precached by the service worker."""
import pytest

from app.models import Setting
from app.services.settings import tile_origin
from app.web import VENDOR_PREFIXES
from tests.api.helpers import API, assert_error, count

URL = f"{API}/settings"


def _img_src(response):
    csp = response.headers["Content-Security-Policy"]
    return next(d.split()[1:] for d in csp.split("; ") if d.startswith("img-src"))


def test_the_map_defaults_to_openstreetmap_and_the_page_lets_its_tiles_in(world, client_for, app):
    settings = client_for(world.rep_a1).get(URL).json
    assert settings["map_tile_url"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert (settings["map_max_zoom"], settings["map_coordinates"]) == (19, "wgs84")
    assert "OpenStreetMap" in settings["map_attribution"]
    page = app.test_client().get("/customers/near")
    assert page.status_code == 200
    assert _img_src(page) == ["'self'", "data:", "blob:", "https://tile.openstreetmap.org"]
    # Other responses keep the strict policy.
    assert _img_src(client_for(world.rep_a1).get(URL)) == ["'self'", "data:", "blob:"]


def test_an_admin_points_the_map_at_a_chinese_provider(world, client_for, app):
    amap = ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
            "&x={x}&y={y}&z={z}")
    response = client_for(world.admin).patch(URL, json={
        "map_tile_url": amap, "map_subdomains": "1234", "map_attribution": "© 高德地图",
        "map_max_zoom": 18, "map_coordinates": "gcj02"})
    assert response.status_code == 200, response.json
    assert response.json["map_coordinates"] == "gcj02"
    assert client_for(world.rep_a1).get(URL).json["map_tile_url"] == amap
    page = app.test_client().get("/customers/near/map")
    assert _img_src(page)[-1] == "https://*.is.autonavi.com"


@pytest.mark.parametrize("body,field", [
    ({"map_tile_url": "ftp://tiles.example.org/{z}/{x}/{y}.png"}, "map_tile_url"),
    ({"map_tile_url": "https://tiles.example.org/{z}/{x}.png"}, "map_tile_url"),
    ({"map_tile_url": "https://tiles.example.org/{z}/{x}/{y}.png; script-src *"}, "map_tile_url"),
    ({"map_tile_url": "https://a.{s}.example.org/{z}/{x}/{y}.png"}, "map_tile_url"),
    ({"map_tile_url": "javascript:alert(1)//{z}/{x}/{y}"}, "map_tile_url"),
    ({"map_max_zoom": 23}, "map_max_zoom"),
    ({"map_max_zoom": "18"}, "map_max_zoom"),
    ({"map_coordinates": "bd09"}, "map_coordinates"),
    ({"map_subdomains": "a,b"}, "map_subdomains"),
    ({"map_attribution": ""}, "map_attribution"),
])
def test_bad_map_settings_are_422_and_change_nothing(world, client_for, body, field):
    assert_error(client_for(world.admin).patch(URL, json=body), 422, [field])
    assert count(Setting) == 0


def test_tile_origin_is_scheme_host_and_port():
    assert tile_origin("http://127.0.0.1:8123/{z}/{x}/{y}.png") == "http://127.0.0.1:8123"
    assert tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    assert tile_origin(None) is None


def test_leaflet_is_served_from_its_package_cached_and_precached(app):
    client = app.test_client()
    leaflet, cluster = VENDOR_PREFIXES["leaflet"], VENDOR_PREFIXES["markercluster"]
    assert leaflet == "/vendor/leaflet/1.9.3/"
    js = client.get(leaflet + "leaflet.js", headers={"Accept-Encoding": "br"})
    assert js.status_code == 200
    assert js.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert js.headers["Content-Encoding"] == "br" and js.mimetype == "text/javascript"
    assert client.get(leaflet + "images/layers.png").mimetype == "image/png"
    assert client.get(cluster + "leaflet.markercluster.js").status_code == 200
    assert client.get(leaflet + "leaflet-src.js").status_code == 404  # only what the map uses
    assert client.get("/vendor/leaflet/1.9.3/../../../config.py").status_code == 404
    worker = client.get("/sw.js").get_data(as_text=True).splitlines()[1]
    for url in (leaflet + "leaflet.js", leaflet + "leaflet.css", cluster + "MarkerCluster.css"):
        assert f'"{url}"' in worker
    page = client.get("/").get_data(as_text=True)
    assert 'name="fieldline-vendor"' in page and "/vendor/markercluster/1.4.1/" in page
