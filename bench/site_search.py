"""Times searches in headless Chromium on a built site (run by bench/site.sh): from typing to
the results being shown. The first query ("zz", no results) pays for loading the index's
dictionary, as the page does when the search box gets the focus; each query's first run loads
the index parts it needs; "again" runs are with them loaded. Prints one line per query."""

import pathlib
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

SITE = pathlib.Path(sys.argv[1])
QUERIES = sys.argv[2:] or ["zz", "amount", "event00042happened", "domain013", "curency", "note"]

TIMED = """
const [query, done] = arguments;
const box = document.getElementById('search'), list = document.getElementById('search-results');
const started = performance.now();
list.hidden = true; list.innerHTML = '';
box.value = query;
box.dispatchEvent(new Event('input'));
(function wait() {
  if (!list.hidden && list.children.length) done([performance.now() - started, list.querySelectorAll('li[role=option]').length]);
  else setTimeout(wait, 1);
})();
"""

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage"]:
    options.add_argument(argument)
driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
driver.set_script_timeout(30)
try:
    driver.get((SITE / "index.html").as_uri())
    for round_ in ["first", "again"]:
        for query in QUERIES:
            elapsed, shown = driver.execute_async_script(TIMED, query)
            print(f"{round_:6} {query:22} {elapsed:7.1f} ms  {shown} results")
finally:
    driver.quit()
