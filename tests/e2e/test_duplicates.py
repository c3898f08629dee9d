"""The live duplicate check, typed in a real browser: a new customer and a new lead are
warned about an existing customer (with its owner) before they are saved."""
import pytest

from tests.e2e.conftest import api, sign_in

pytestmark = pytest.mark.e2e


def _existing_customer(page):
    """One of the rep's customers: typing its name again must be caught."""
    items = api(page, "/customers?limit=5")["body"]["items"]
    return items[0]


@pytest.mark.parametrize("form_url,field", [("/customers/new", "name"),
                                            ("/leads/new", "company")])
def test_typing_an_existing_company_warns_with_its_owner(page, form_url, field, shots):
    sign_in(page)
    customer = _existing_customer(page)
    page.goto(form_url)
    page.fill(f"form [name={field}]", customer["name"])
    warning = page.wait_for_selector("[data-dups] .warn", timeout=10000)
    assert customer["name"] in warning.inner_text()
    assert customer["owner_name"] in warning.inner_text()
    # Cleared when the name no longer matches anything.
    page.fill(f"form [name={field}]", "Zq")
    page.wait_for_selector("[data-dups] .warn", state="detached", timeout=10000)
    page.fill(f"form [name={field}]", customer["name"])
    page.wait_for_selector("[data-dups] .warn", timeout=10000)
    page.screenshot(path=str(shots / f"duplicate{form_url.replace('/', '-')}.png"))
