"""End-to-end: Debian's Chromium, headless, drives the web interface on 127.0.0.1.

Each test opens a kind of page on the sample graph, acts as a reader would (follows
links, runs an example query, types a bad one) and checks what the browser shows.
Screenshots go to ``$CLAIMGRAPH_SCREENSHOTS`` when set (``docs/screenshots`` is made
that way), else to the test's temporary directory.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.app import create_app
from tests.fixtures.web.sample import load_sample

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)),
        reason="needs Debian's chromium and chromium-driver (apt-get install both)",
    ),
]


@pytest.fixture
def browser(tmp_path: Path) -> Iterator:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--window-size=1280,900",
    ):
        options.add_argument(flag)
    # The driver is Debian's; Selenium must never fetch one.
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


@pytest.fixture
def site(store, settings, live_server_factory) -> str:
    load_sample(store)
    return live_server_factory(create_app(settings, store=store)).url


@pytest.fixture
def shoot(browser, tmp_path: Path):
    """Save a full-page screenshot of what the browser shows."""
    folder = Path(os.environ.get("CLAIMGRAPH_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)

    def save(name: str) -> Path:
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(1280, min(max(height, 700), 2600))
        path = folder / f"{name}.png"
        assert browser.save_screenshot(str(path))
        browser.set_window_size(1280, 900)
        return path

    return save


def by_css(browser, selector: str):
    from selenium.webdriver.common.by import By

    return browser.find_elements(By.CSS_SELECTOR, selector)


def test_home_leads_to_an_event_with_its_sources_compared(browser, site, shoot):
    browser.get(site + "/")
    assert by_css(browser, "h1")[0].text == "What the graph holds"
    stats = {
        s.find_element("css selector", ".what").text: s.find_element("css selector", ".num").text
        for s in by_css(browser, ".stat")
    }
    assert stats["Claims"] == "10" and stats["Events"] == "3"
    shoot("home")
    (event_link,) = [a for a in by_css(browser, "ul.list a") if a.text == "Black January"]
    event_link.click()
    assert browser.current_url.endswith("/page/event/black-january")
    assert by_css(browser, "h1")[0].text == "Black January"
    verdicts = [v.text for v in by_css(browser, ".verdict")]
    assert "killed, civilians: sources conflict: 131 to 150" in verdicts
    chart = by_css(browser, "svg.chart")[0]
    assert chart.is_displayed() and chart.size["width"] > 600
    assert len(by_css(browser, "svg.chart rect.conflict-band")) == 1
    shoot("event")


def test_statement_text_is_highlighted_and_each_highlight_opens_its_claim(browser, site, shoot):
    browser.get(site + "/page/statement/alpha")
    highlights = by_css(browser, "#doc-text a.ev")
    assert len({a.get_attribute("href") for a in highlights}) == 6
    assert [m.text for m in by_css(browser, "#doc-text a.marker")] == ["1", "2", "3", "4", "5", "6"]
    shoot("statement")
    (figure,) = [a for a in highlights if a.text == "the deaths of 150 peaceful people"]
    figure.click()
    assert "/page/claim/alpha-" in browser.current_url
    assert by_css(browser, "h1")[0].text == "\u201cthe deaths of 150 peaceful people\u201d"
    values = by_css(browser, "table.props")[0].text
    assert "150" in values and "killed" in values
    shoot("claim")


def test_stored_script_and_markup_are_inert_and_shown_as_text(browser, site, shoot):
    browser.get(site + "/page/statement/hostile")
    assert browser.execute_script("return typeof window.__cgPwned") == "undefined"
    text = by_css(browser, "#doc-text")[0].text
    assert '<script>window.__cgPwned = "script";</script>' in text
    assert '<img src="x" onerror="window.__cgPwned = \'img\'">' in text
    assert "the <b>massacre at Srebrenica</b> was genocide" in text
    assert by_css(browser, "#doc-text script, #doc-text img, #doc-text b") == []
    assert by_css(browser, "h1")[0].text == "Bulletin <i>italic</i> <script>x()</script>"
    shoot("statement-with-markup")


def test_an_example_query_runs_and_its_results_link_to_resource_pages(browser, site, shoot):
    browser.get(site + "/query")
    (example,) = [
        a
        for a in by_css(browser, "a.example")
        if a.get_attribute("data-name") == "cq02-casualty-figures"
    ]
    example.click()
    rows = by_css(browser, "#results tbody tr")
    assert len(rows) == 5  # the sample's five casualty figures
    assert "Ombudsperson" in by_css(browser, "#results")[0].text
    shoot("query")
    gutter = by_css(browser, ".gutter span")
    assert len(gutter) >= len(by_css(browser, "#query-text")[0].get_attribute("value").splitlines())
    link = next(
        a
        for a in by_css(browser, "#results tbody a")
        if "/page/statement/" in a.get_attribute("href")
    )
    link.click()
    assert "/page/statement/" in browser.current_url
    assert by_css(browser, ".kicker")[0].text == "STATEMENT"


def test_a_bad_query_shows_its_error_next_to_the_editor(browser, site, shoot):
    from selenium.webdriver.common.keys import Keys

    browser.get(site + "/query")
    editor = by_css(browser, "#query-text")[0]
    editor.send_keys("SELECT * WHERE {", Keys.ENTER, "?s ?p", Keys.ENTER, "}")
    assert [s.text for s in by_css(browser, ".gutter span")][:3] == ["1", "2", "3"]
    editor.send_keys(Keys.CONTROL, Keys.ENTER)  # the editor's shortcut submits the form
    error = by_css(browser, "#query-error")[0]
    assert "The query could not run." in error.text and "3:" in error.text
    assert by_css(browser, ".gutter span.err")[0].text == "3"
    assert by_css(browser, "#query-text")[0].get_attribute("value") == "SELECT * WHERE {\n?s ?p\n}"
    assert "query=SELECT" in browser.current_url  # the address reproduces the query
    shoot("query-error")


def test_search_from_the_header_finds_and_opens_an_entity(browser, site, shoot):
    from selenium.webdriver.common.keys import Keys

    browser.get(site + "/")
    box = by_css(browser, "header .search-box input[type=search]")[0]
    box.send_keys("january 20 tragedy", Keys.ENTER)
    hits = by_css(browser, ".hit")
    assert hits[0].find_element("css selector", ".kind").text == "EVENT"
    shoot("search")
    hits[0].find_element("css selector", "a.hit-title").click()
    assert browser.current_url.endswith("/page/event/black-january")


def test_timeline_lists_events_in_order(browser, site, shoot):
    browser.get(site + "/timeline")
    titles = [a.text for a in by_css(browser, ".timeline .tl-title")]
    assert titles == ["Black January", "Srebrenica massacre"]
    assert by_css(browser, ".tl-counts")[0].text.startswith("2 statements \u00b7 9 claims")
    shoot("timeline")
    (every,) = [a for a in by_css(browser, "a") if a.text == "show every event"]
    every.click()
    titles = [a.text for a in by_css(browser, ".tl-title")]
    assert titles == ["Black January", "Srebrenica massacre", "An event with no known date"]


def test_an_entity_page_lists_every_statement_with_its_graph(browser, site, shoot):
    browser.get(site + "/page/organization/soviet-army")
    assert by_css(browser, "h1")[0].text == "Soviet Army"
    graphs = [g.text for g in by_css(browser, "#statements a.graph")]
    assert "graph/reference" in graphs and "graph/document/beta" in graphs
    shoot("resource")


def test_the_ontology_documentation_is_one_click_away(browser, site, shoot):
    from server.web.views import ONTOLOGY_DOCS

    if not ONTOLOGY_DOCS.is_file():
        pytest.skip("docs/ontology/index.html has not been generated")
    browser.get(site + "/")
    (link,) = [a for a in by_css(browser, "nav a") if a.text == "Ontology"]
    link.click()
    assert browser.current_url.endswith("/docs/ontology")
    assert "Statement" in browser.find_element("css selector", "body").text
    shoot("ontology")


def test_the_editor_indents_with_tab_and_lets_the_keyboard_leave(browser, site):
    from selenium.webdriver.common.keys import Keys

    browser.get(site + "/query")
    editor = by_css(browser, "#query-text")[0]
    editor.send_keys("{", Keys.ENTER, Keys.TAB, "?s")
    assert editor.get_attribute("value") == "{\n  ?s"
    assert browser.execute_script("return document.activeElement.id") == "query-text"
    editor.send_keys(Keys.ESCAPE, Keys.TAB)
    assert browser.execute_script("return document.activeElement.id") != "query-text"
    assert editor.get_attribute("value") == "{\n  ?s"


def test_a_loaded_document_with_script_and_markup_shows_them_as_text(
    browser, store, settings, live_server_factory, tmp_path
):
    """The real loader, a real file: what a hostile document says stays text."""
    from loaders.ingest import load_paths

    text = (
        "Statement by the Office of the High Commissioner for Human Rights\n"
        '<script>window.__cgPwned = "loaded";</script>\n'
        '<img src="x" onerror="window.__cgPwned = 1"> <b>Bold</b> & <i>italic</i>\n'
        "The Khojaly massacre of 26 February 1992 killed 613 civilians and was a crime "
        "against humanity.\n"
    )
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "hostile-note.txt").write_text(text, encoding="utf-8")
    report = load_paths(store, [corpus], base_iri=settings.base_iri, workers=1)
    assert [o.status for o in report.outcomes] == ["loaded"]
    site = live_server_factory(create_app(settings, store=store)).url
    browser.get(site + "/page/statement/hostile-note")
    assert browser.execute_script("return typeof window.__cgPwned") == "undefined"
    shown = by_css(browser, "#doc-text")[0].text
    assert '<script>window.__cgPwned = "loaded";</script>' in shown
    assert '<img src="x" onerror="window.__cgPwned = 1"> <b>Bold</b> & <i>italic</i>' in shown
    assert by_css(browser, "#doc-text script, #doc-text img, #doc-text b, #doc-text i") == []
    # The loader found claims in the same text; their evidence is highlighted and linked.
    quotes = [a.text for a in by_css(browser, "#doc-text a.ev")]
    assert "killed 613 civilians" in quotes, quotes
