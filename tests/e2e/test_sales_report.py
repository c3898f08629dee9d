"""The sales report on a phone: a team lead sees the funnel, forecast, leaderboard and
activity of their team; a cashier is not offered it."""
import pytest

from tests.e2e.conftest import api, sign_in

pytestmark = pytest.mark.e2e


def test_a_team_lead_opens_the_sales_report_from_settings(page, shots):
    sign_in(page, "lead.east@demo.fieldline.app")
    page.click(".tabs a[data-tab=settings]")
    page.click("a[href='/reports/sales']")
    page.wait_for_selector(".bars.funnel li")
    headings = page.locator("main h2").all_inner_texts()
    assert [h.lower() for h in headings][:4] == ["pipeline", "forecast", "leaderboard",
                                                 "activity"]
    board = api(page, "/reports/leaderboard")["body"]["people"]
    rows = page.locator("section:has(h2:text('Leaderboard')) tbody tr")
    assert rows.count() == len(board)
    activity = api(page, "/reports/activity")["body"]["people"]
    assert page.locator("section:has(h2:text('Activity')) tbody tr").count() == len(activity)
    assert len(activity) > 1  # the whole team, not only the lead
    page.screenshot(path=str(shots / "sales-report.png"), full_page=True)
    # A deep link works too (the server answers with the app).
    page.goto("/reports/sales")
    page.wait_for_selector(".bars.funnel li")


def test_a_cashier_is_not_offered_the_sales_report(page):
    sign_in(page, "cashier@demo.fieldline.app")
    page.click(".tabs a[data-tab=settings]")
    page.wait_for_selector("a[href='/reports/expenses']")
    assert page.locator("a[href='/reports/sales']").count() == 0
