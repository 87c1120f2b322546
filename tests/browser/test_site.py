"""The site as a person uses it, in headless Chromium through WebDriver (run by
tests/site_browser.rs, which builds the example catalog's site into SITE_DIR)."""

import os
import pathlib

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

SITE = pathlib.Path(os.environ["SITE_DIR"])
SCREENSHOTS = pathlib.Path(os.environ["SCREENSHOTS"])


def page(path):
    return (SITE / path).as_uri()


@pytest.fixture()
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1280,900"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def console_errors(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def test_navigate_from_home_to_an_event_and_read_it(browser):
    browser.get(page("index.html"))
    assert "Domains" in browser.find_element(By.TAG_NAME, "main").text
    browser.save_screenshot(str(SCREENSHOTS / "home.png"))
    assert console_errors(browser) == []
    browser.find_element(By.LINK_TEXT, "payments").click()
    assert browser.current_url.endswith("domains/payments/index.html")
    assert console_errors(browser) == []
    browser.find_element(By.LINK_TEXT, "payments/PaymentCaptured").click()
    assert browser.current_url.endswith("events/payments/PaymentCaptured/index.html")
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "payments-team" in main, "the owner"
    assert "ledger" in main, "a consumer"
    fields = browser.find_element(By.XPATH, "//h2[text()='Fields']/following::table[1]").text
    assert "settlementId" in fields, "the field table"
    history = browser.find_element(By.XPATH, "//h2[text()='History']/following::table[1]").text
    assert "BREAKING (BACKWARD)" in history, "the history's verdict"
    assert console_errors(browser) == []
    browser.save_screenshot(str(SCREENSHOTS / "event.png"))


def test_the_description_script_is_shown_as_text(browser):
    browser.get(page("events/payments/PaymentCaptured/index.html"))
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "<script>window.evcatInjected = true</script>" in main
    assert browser.execute_script("return window.evcatInjected === undefined")


def test_search_a_field_and_follow_the_result(browser):
    browser.get(page("index.html"))
    box = browser.find_element(By.ID, "search")
    box.send_keys("settlementid")
    wait = WebDriverWait(browser, 10)
    wait.until(ready.visibility_of_element_located((By.CSS_SELECTOR, "#search-results a")))
    first = browser.find_element(By.CSS_SELECTOR, "#search-results a").text
    assert "payments/PaymentCaptured" in first
    box.send_keys(Keys.ARROW_DOWN)
    box.send_keys(Keys.ENTER)
    wait.until(ready.url_contains("events/payments/PaymentCaptured"))
    assert console_errors(browser) == []


def test_search_tolerates_a_typo_and_answers_quickly(browser):
    browser.get(page("index.html"))
    box = browser.find_element(By.ID, "search")
    box.send_keys("ledgr")
    wait = WebDriverWait(browser, 10)
    wait.until(ready.visibility_of_element_located((By.CSS_SELECTOR, "#search-results a")))
    results = browser.find_element(By.ID, "search-results").text
    assert "ledger" in results


def test_a_phone_width_page_does_not_overflow(browser):
    browser.set_window_size(390, 844)
    for path in ["index.html", "events/payments/PaymentCaptured/index.html", "map/index.html"]:
        browser.get(page(path))
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than the screen"
    browser.save_screenshot(str(SCREENSHOTS / "event-phone.png"))
