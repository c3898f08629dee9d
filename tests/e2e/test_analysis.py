"""The Analysis screen on a phone, as a manager: one chart per report, each with a Table
toggle whose numbers are the API's own (the attainment trend's too, with targets set for
the test and removed after it); in English and in Chinese."""
import pytest

from tests.e2e.conftest import api, sign_in

pytestmark = pytest.mark.e2e

MANAGER = "manager@demo.fieldline.app"


def _table(page, chart):
    """The chart's table as [(row header, [data-value of each cell])]."""
    return page.evaluate(
        """(chart) => [...document.querySelectorAll(`[data-chart="${chart}"] tbody tr`)].map(
            (tr) => [tr.querySelector('th').textContent,
                     [...tr.querySelectorAll('td')].map((td) => td.dataset.value)])""",
        chart)


def _numbers_match_the_api(page):
    intake = api(page, "/reports/lead-intake")["body"]
    weeks = _table(page, "lead-intake")
    per_week = {}
    for w in intake["weeks"]:
        per_week[w["week"]] = per_week.get(w["week"], 0) + w["count"]
    assert {week: int(cells[-1]) for week, cells in weeks if int(cells[-1])} == per_week
    assert sum(per_week.values()) > 0  # the demo company has leads in the last 12 weeks
    by_source = intake["conversion"]["by_source"]
    assert [[int(v) for v in cells[:2]] for _, cells in _table(page, "by_source")] == [
        [s["leads"], s["converted"]] for s in by_source]
    by_owner = intake["conversion"]["by_owner"]
    assert [[int(v) for v in cells[:2]] for _, cells in _table(page, "by_owner")] == [
        [p["leads"], p["converted"]] for p in by_owner]
    products = api(page, "/reports/product-sales")["body"]
    for name in ("best", "slowest"):
        assert [(n, cells) for n, cells in _table(page, name)] == [
            (i["name"], [i["quantity"], i["revenue"]]) for i in products[name]]
    lost = api(page, "/reports/lost-reasons")["body"]["items"]
    if lost:
        assert [int(cells[0]) for _, cells in _table(page, "lost")] == [i["count"] for i in lost]
    stages = api(page, "/reports/stage-performance")["body"]["items"]
    if any(i["entered"] for i in stages):
        assert [(n, [int(v) for v in cells[:3]]) for n, cells in _table(page, "stages")] == [
            (i["stage"], [i["entered"], i["won"], i["lost"]]) for i in stages]


def _set_trend_targets(page) -> list[str]:
    """A team's won-amount target for the last two months and a person's for this one (the
    demo company has none); their ids, to remove."""
    trend = api(page, "/reports/attainment-trend")["body"]
    team = next(i for i in trend["items"] if i["team_id"])
    person = next(i for i in trend["items"] if i["owner_id"])
    made = []
    for subject, month, value in (({"team_id": team["team_id"]}, trend["months"][-2], "50000"),
                                  ({"team_id": team["team_id"]}, trend["months"][-1], "80000"),
                                  ({"owner_id": person["owner_id"]}, trend["months"][-1], "20000")):
        answer = api(page, "/targets", "POST", {"metric": "won_amount", "period": month,
                                                "value": value, **subject})
        assert answer["status"] == 201, answer
        made.append(answer["body"]["id"])
    return made


def _trend_matches_the_api(page):
    items = api(page, "/reports/attainment-trend")["body"]["items"]
    shown = [[float(v) if v else None for v in cells] for _, cells in _table(page, "trend")]
    assert shown == [[p["percent"] for p in i["points"]] for i in items]
    assert any(p["percent"] is not None for i in items for p in i["points"])


def test_a_manager_reads_the_analysis_charts_and_their_tables(page, shots):
    sign_in(page, MANAGER)
    targets = _set_trend_targets(page)
    try:
        _read_the_charts(page, shots)
    finally:
        for target_id in targets:
            assert api(page, f"/targets/{target_id}", "DELETE")["status"] == 204


def _read_the_charts(page, shots):
    page.click(".tabs a[data-tab=settings]")
    page.click("a[href='/reports/analysis']")
    page.wait_for_selector("[data-chart='lead-intake'] svg rect")
    assert page.locator("[data-chart]").count() == 8
    _numbers_match_the_api(page)
    _trend_matches_the_api(page)
    trend = page.locator("[data-chart='trend']")
    assert trend.locator("path.chart-line").count() >= 1
    trend.screenshot(path=str(shots / "analysis-trend-en.png"))
    trend.locator("[data-table-toggle]").click()
    assert trend.locator("table").is_visible() and not trend.locator("svg").is_visible()
    trend.screenshot(path=str(shots / "analysis-trend-table-en.png"))
    trend.locator("[data-table-toggle]").click()
    # Nothing wider than the phone: the charts scale to 360 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # The toggle shows the table instead of the chart, and back.
    toggle = page.locator("[data-chart='by_source'] [data-table-toggle]")
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert page.locator("[data-chart='by_source'] table").is_visible()
    assert not page.locator("[data-chart='by_source'] svg").is_visible()
    page.screenshot(path=str(shots / "analysis-en.png"), full_page=True)
    toggle.click()
    assert page.locator("[data-chart='by_source'] svg").is_visible()
    # Another period: this year, from the chips; the tables follow the API's numbers.
    page.click("[data-period='year']")
    page.wait_for_selector("[data-period='year'][aria-pressed='true']")
    page.wait_for_selector("[data-chart='lead-intake'] svg rect")
    today = api(page, "/reports/lead-intake")["body"]["to"]
    assert page.locator("p.sub").inner_text().startswith(f"{today[:4]}-01-01")

    me = api(page, "/me")["body"]["id"]
    api(page, f"/users/{me}", "PATCH", {"locale": "zh-CN"})
    try:
        page.reload()
        page.wait_for_selector("[data-chart='lead-intake'] svg rect")
        assert page.locator("h1").inner_text() == "分析"
        assert page.locator("[data-chart='lead-intake'] [data-table-toggle]").inner_text() == "表格"
        _numbers_match_the_api(page)
        _trend_matches_the_api(page)
        assert "近 6 个月业绩达成趋势" in page.inner_text("[data-chart='trend'] h2")
        page.locator("[data-chart='trend']").screenshot(
            path=str(shots / "analysis-trend-zh-CN.png"))
        page.screenshot(path=str(shots / "analysis-zh-CN.png"), full_page=True)
    finally:
        api(page, f"/users/{me}", "PATCH", {"locale": "en"})
