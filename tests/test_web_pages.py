"""The web pages over HTTP, on the sample graph: what each page and its JSON twin show.

Expected values are read off ``tests/fixtures/web/sample.py`` by hand: 3 documents, 3
statements, 3 events, 10 claims (alpha 6, beta 3, hostile 1), 5 organizations,
1 instrument; Black January has 9 claims from 2 sources, whose death tolls (150 and
131) conflict and whose injury counts (744 and "some 800") do not.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
import requests

from ontology import iris
from ontology.queries import named_queries
from ontology.vocab import CG, RDF, RDFS
from server.app import create_app
from server.web import views
from tests.fixtures.web.sample import ALPHA_TEXT, BASE, BETA_TEXT, load_sample


@pytest.fixture
def site(store, settings, live_server_factory):
    load_sample(store)
    return live_server_factory(create_app(settings, store=store)).url


def get(url: str, **kwargs) -> requests.Response:
    return requests.get(url, timeout=30, allow_redirects=False, **kwargs)


class Links(HTMLParser):
    """Links of a page: (href, class, text), and the text inside an element by id."""

    def __init__(self, inside_id: str | None = None) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []
        self.inside_id = inside_id
        self._depth = 0  # > 0 while inside the element with id inside_id
        self._link: list[str] | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._depth or attrs.get("id") == self.inside_id:
            self._depth += 1
        if tag == "a":
            self._link = [attrs.get("href") or "", attrs.get("class") or "", ""]

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            if self._depth or self.inside_id is None:
                self.links.append(tuple(self._link))
            self._link = None
        if self._depth:
            self._depth -= 1

    def handle_data(self, data):
        if self._link is not None:
            self._link[2] += data
        if self._depth:
            self.text += data


def links_in(html: str, inside_id: str | None = None) -> Links:
    parser = Links(inside_id)
    parser.feed(html)
    return parser


def test_home_counts_what_the_graph_holds(site):
    data = get(site + "/index.json").json()
    assert data["counts"] == {
        "documents": 3,
        "statements": 3,
        "events": 3,
        "claims": 10,
        "organizations": 5,
        "instruments": 1,
        "people": 0,
        "places": 0,
    }
    assert [(t["slug"], t["count"]) for t in data["claim_types"]] == [
        ("casualty-figure", 5),
        ("legal-characterization", 2),
        ("call-to-action", 1),
        ("instrument-violation", 1),
        ("perpetrator-attribution", 1),
    ]
    # Events listed are those claims are about; the count includes the reference's third.
    assert [(e["label"], e["count"]) for e in data["lists"]["events"]] == [
        ("Black January", 9),
        ("Srebrenica massacre", 1),
    ]
    assert sorted((o["label"], o["count"]) for o in data["lists"]["organizations"]) == [
        ("Bureau <em>for</em> Tests & Markup", 1),
        ("Human Rights Commissioner (Ombudsperson) of Azerbaijan", 1),
        ("International community", 1),
        ("Memorial Watch", 1),
        ("Soviet Army", 1),
    ]
    page = get(site + "/")
    assert page.headers["Link"] == '</?format=json>; rel="alternate"; type="application/json"'
    html = page.text
    hrefs = {href for href, _, _ in links_in(html).links}
    assert {"/page/event/black-january", "/page/statement/alpha", "/page/instrument/iccpr"} <= hrefs
    assert get(site + "/?format=json").json() == data


def test_statement_page_highlights_every_claims_evidence_with_a_link_to_it(site):
    data = get(site + "/page/statement/alpha.json").json()
    claims = data["statement"]["claims"]
    assert len(claims) == 6
    for claim in claims:
        (ev,) = claim["evidence"]
        assert ALPHA_TEXT[ev["begin"] : ev["end"]] == ev["quote"]
    html = get(site + "/page/statement/alpha").text
    text = links_in(html, "doc-text")
    highlighted: dict[str, str] = {}
    for href, cls, inner in text.links:
        if cls.startswith("ev "):
            highlighted[href] = highlighted.get(href, "") + inner
    assert highlighted == {c["claim"]["href"]: c["evidence"][0]["quote"] for c in claims}
    markers = [(href, inner) for href, cls, inner in text.links if cls.startswith("marker")]
    assert markers == [(c["claim"]["href"], str(c["number"])) for c in claims]
    assert text.text.replace("".join(str(i) for i in range(1, 7)), "") != ""
    # The text shown is the document's text, markers aside.
    shown = "".join(part for part in _text_without_markers(html))
    assert shown == ALPHA_TEXT


def _text_without_markers(html: str) -> list[str]:
    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts, self.depth, self.marker = [], 0, False

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if self.depth or attrs.get("id") == "doc-text":
                self.depth += 1
            self.marker = "marker" in (attrs.get("class") or "")

        def handle_endtag(self, tag):
            self.marker = False
            if self.depth:
                self.depth -= 1

        def handle_data(self, data):
            if self.depth and not self.marker:
                self.parts.append(data)

    parser = Text()
    parser.feed(html)
    return parser.parts


def test_statement_claims_are_grouped_by_type(site):
    data = get(site + "/page/statement/alpha.json").json()
    groups = [(g["head"]["label"], len(g["claims"])) for g in data["statement"]["claims_by_type"]]
    assert groups == [
        ("legal characterization", 1),
        ("casualty figure", 3),
        ("instrument violation", 1),
        ("call to action", 1),
    ]


def test_stored_markup_and_script_are_shown_as_text(site):
    response = get(site + "/page/statement/hostile")
    html = response.text
    assert "&lt;script&gt;window.__cgPwned = &#34;script&#34;;&lt;/script&gt;" in html
    assert "<script>window" not in html and "<img src=" not in html
    assert "<i>italic</i>" not in html and "Bulletin &lt;i&gt;italic&lt;/i&gt;" in html
    assert "Bureau &lt;em&gt;for&lt;/em&gt; Tests &amp; Markup" in html
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    # The JSON twin carries the same text verbatim: escaping is the page's job.
    data = get(site + "/page/statement/hostile.json").json()
    assert '<script>window.__cgPwned = "script";</script>' in data["statement"]["text"]


def test_event_page_compares_the_sources_figures(site):
    data = get(site + "/page/event/black-january.json").json()
    event = data["event"]
    assert len(event["claims"]) == 9
    assert sorted(s["name"] for s in event["sources"]) == [
        "Human Rights Commissioner (Ombudsperson) of Azerbaijan",
        "Memorial Watch",
    ]
    verdicts = {
        c["category"]: (c["status"], c["low"], c["high"]) for c in event["casualty_comparisons"]
    }
    assert verdicts == {
        "killed, civilians": ("conflict", 131, 150),
        "killed, children": ("single", 20, 20),
        "injured, civilians": ("compatible", 744, 800),
    }
    by_type = {
        g["head"]["label"]: [s["head"]["label"] for s in g["sources"]]
        for g in event["claims_by_type"]
    }
    assert sorted(by_type["casualty figure"]) == [
        "Memorial Watch report on the events of January 1990",
        "Ombudsperson marks the anniversary of Black January",
    ]
    assert by_type["perpetrator attribution"] == [
        "Memorial Watch report on the events of January 1990"
    ]
    html = get(site + "/page/event/black-january").text
    assert '<svg class="chart"' in html and "sources conflict: 131 to 150" in html


def test_a_resource_page_names_the_graph_of_each_statement(site):
    description = get(site + "/page/event/black-january.json").json()["description"]
    out = {
        (e["predicate"]["iri"], e["value"].get("value", e["value"].get("iri"))): e
        for e in description["outgoing"]
    }
    label = out[("http://www.w3.org/2000/01/rdf-schema#label", "Black January")]
    assert [g["iri"] for g in label["graphs"]] == [iris.reference_graph(BASE).value]
    alias = out[("http://www.w3.org/2004/02/skos/core#altLabel", "January 20 tragedy")]
    assert [g["iri"] for g in alias["graphs"]] == [iris.document_graph(BASE, "alpha").value]
    incoming = {e["value"]["iri"] for e in description["incoming"]}
    assert len(incoming) == 9  # every claim about it
    assert description["types"][0]["iri"] == "https://w3id.org/claimgraph/ontology#Event"


def test_any_iri_has_a_page_and_minted_ones_are_sent_to_theirs(site):
    genocide = "https://w3id.org/claimgraph/concept/legal-category/genocide"
    data = get(site + "/resource", params={"iri": genocide, "format": "json"}).json()
    assert data["description"]["resource"]["label"] == "genocide"
    (claim,) = data["description"]["incoming"]
    assert claim["value"]["href"].startswith("/page/claim/hostile-")
    moved = get(site + "/resource", params={"iri": BASE + "id/event/srebrenica"})
    assert moved.status_code == 303 and moved.headers["Location"].endswith("/page/event/srebrenica")


def test_an_unknown_resource_is_a_404_page_and_a_json_error(site):
    page = get(site + "/page/event/atlantis")
    assert page.status_code == 404 and "nothing is known about" in page.text
    data = get(site + "/page/event/atlantis.json")
    assert data.status_code == 404
    assert data.json()["error"]["code"] == "not-found"
    bad = get(site + "/resource")
    assert bad.status_code == 400 and "give the resource&#39;s IRI" in bad.text
    assert get(site + "/resource?format=json").json()["error"]["code"] == "missing-parameter"


QUERY = """PREFIX cg: <https://w3id.org/claimgraph/ontology#>
SELECT ?claim ?count WHERE { ?claim cg:count ?count } ORDER BY DESC(?count)"""


def test_the_query_page_runs_a_query_and_links_its_results(site):
    response = get(site + "/query", params={"query": QUERY})
    assert response.status_code == 200
    data = get(site + "/query.json", params={"query": QUERY}).json()
    assert data["result"]["columns"] == ["claim", "count"]
    assert [row[1]["value"] for row in data["result"]["rows"]] == ["800", "744", "150", "131", "20"]
    claim_hrefs = [row[0]["href"] for row in data["result"]["rows"]]
    page_links = {href for href, _, _ in links_in(response.text).links}
    assert set(claim_hrefs) <= page_links
    # The page's address reproduces the query; the downloads hand it to /sparql.
    assert parse_qs(urlsplit(data["share_url"]).query)["query"] == [QUERY]
    assert [d["format"] for d in data["downloads"]] == ["CSV", "JSON", "TSV"]
    csv = requests.get(site + data["downloads"][0]["href"], timeout=30)
    assert csv.headers["Content-Type"].startswith("text/csv")
    assert csv.text.splitlines()[0] == "claim,count" and len(csv.text.splitlines()) == 6


def test_a_bad_query_is_shown_inline_with_its_line(site):
    bad = "SELECT * WHERE {\n  ?s ?p\n}"
    response = get(site + "/query", params={"query": bad})
    assert response.status_code == 400
    assert "The query could not run." in response.text
    assert ">SELECT * WHERE {\n  ?s ?p\n}</textarea>" in response.text
    data = get(site + "/query.json", params={"query": bad})
    assert data.status_code == 400
    result = data.json()["result"]
    assert result["error_line"] == 3 and "3:" in result["error"]


def test_the_query_page_refuses_service_calls_off_the_allowlist(site):
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    response = get(site + "/query.json", params={"query": query})
    assert response.status_code == 403
    assert "127.0.0.1:9" in response.json()["result"]["error"]


def test_every_competency_query_is_a_one_click_example_that_runs(site):
    data = get(site + "/query.json").json()
    assert [e["name"] for e in data["examples"]] == [q.name for q in named_queries()]
    for example in data["examples"]:
        response = get(site + example["href"] + "&format=json")
        assert response.status_code == 200, (example["name"], response.text[:300])
        assert response.json()["query"] == example["sparql"]


def test_search_finds_names_and_evidence_and_links_to_pages(site):
    data = get(site + "/search.json", params={"q": "ICCPR"}).json()
    (hit,) = data["results"]
    assert hit["label"] == "International Covenant on Civil and Political Rights"
    assert hit["href"] == "/page/instrument/iccpr"
    html = get(site + "/search", params={"q": "Srebrenica genocide"}).text
    assert "<mark>Srebrenica</mark>" in html and "<mark>genocide</mark>" in html
    assert "&lt;b&gt;" in html  # the evidence's markup, as text


def test_timeline_orders_events_by_date_with_their_counts(site):
    data = get(site + "/timeline.json").json()
    dated = [
        (y["year"], e["label"], e["statements"], e["claims"])
        for y in data["years"]
        for e in y["events"]
    ]
    assert dated == [("1990", "Black January", 2, 9), ("1995", "Srebrenica massacre", 1, 1)]
    assert data["undated"] == [] and data["hidden"] == 1  # no statement speaks of it
    every = get(site + "/timeline.json?all=1").json()
    assert [e["label"] for e in every["undated"]] == ["An event with no known date"]
    assert "show every event" in get(site + "/timeline").text


def test_ontology_docs_are_served_with_their_own_styles_but_no_scripts(site, tmp_path, monkeypatch):
    page = tmp_path / "index.html"
    page.write_text("<html><style>h1{}</style><h1>claimgraph ontology</h1></html>")
    monkeypatch.setattr(views, "ONTOLOGY_DOCS", page)
    response = get(site + "/docs/ontology")
    assert response.status_code == 200 and "claimgraph ontology" in response.text
    csp = response.headers["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in csp and "script-src 'self';" in csp
    twin = get(site + "/docs/ontology?format=json")
    assert twin.status_code == 303 and twin.headers["Location"].endswith("/ontology?format=jsonld")
    ontology = requests.get(site + twin.headers["Location"], timeout=30)
    assert ontology.headers["Content-Type"].startswith("application/ld+json")
    monkeypatch.setattr(views, "ONTOLOGY_DOCS", tmp_path / "missing.html")
    missing = get(site + "/docs/ontology")
    assert missing.status_code == 404 and "has not been generated" in missing.text


def test_links_built_by_hand_are_the_ones_flask_would_build(store, settings):
    from flask import url_for

    app = create_app(settings, store=store)
    with app.test_request_context("/", base_url="http://h/sub/path"):
        links = views.linker()
        assert links.href(BASE + "id/event/black-january") == url_for(
            "web.page", path="event/black-january"
        )
        odd = "http://example.org/a b?c=d&e#f"
        ours, flasks = urlsplit(links.href(odd)), urlsplit(url_for("web.resource", iri=odd))
        assert ours.path == flasks.path == "/sub/path/resource"
        assert parse_qs(ours.query) == parse_qs(flasks.query) == {"iri": [odd]}


def test_a_claim_page_shows_its_evidence_in_its_place_in_the_text(site):
    data = get(site + "/page/statement/beta.json").json()
    (claim,) = [
        c for c in data["statement"]["claims"] if c["type"]["slug"] == "perpetrator-attribution"
    ]
    page = get(site + claim["claim"]["href"] + ".json").json()
    assert page["view"] == "claim"
    assert (
        page["claim"]["claim"]["statement"]["label"]
        == "Memorial Watch report on the events of January 1990"
    )
    (context,) = page["claim"]["contexts"]
    assert context["quote"] == "carried out by the Soviet Army"
    assert context["before"] == BETA_TEXT[: BETA_TEXT.index("carried out")]  # all of it
    assert context["after"] == ".\n"
    alpha = get(site + "/page/statement/alpha.json").json()["statement"]["claims"]
    (action,) = [c for c in alpha if c["type"]["slug"] == "call-to-action"]
    (context,) = get(site + action["claim"]["href"] + ".json").json()["claim"]["contexts"]
    # Cut 240 characters before the quote, then moved to the start of a word.
    assert context["before"].startswith("\u2026military force against unarmed civilians")


@pytest.mark.parametrize(
    "path",
    [
        "/page/event/a%20b",
        "/page/%3Cscript%3E",
        "/page/x%22y",
        "/resource?iri=%3C%3E",
        "/resource?iri=x",
    ],
)
def test_paths_that_make_no_valid_iri_are_not_found_not_errors(site, path):
    response = get(site + path)
    assert response.status_code == 404
    assert "<script>" not in response.text


def test_an_event_with_many_claims_lists_some_but_counts_and_charts_them_all(site, monkeypatch):
    from server.web import event

    monkeypatch.setattr(event, "CLAIM_LIMIT", 4)
    monkeypatch.setattr(event, "SOURCE_LIMIT", 1)
    data = get(site + "/page/event/black-january.json").json()["event"]
    assert len(data["claims"]) == 4 and data["claim_count"] == 9
    assert [s["claims"] for s in data["sources"]] == [6] and data["source_count"] == 2
    assert sum(len(c["figures"]) for c in data["casualty_comparisons"]) == 5
    html = get(site + "/page/event/black-january").text
    assert "The first 4 of 9 claims are listed here" in html
    assert "The 1 sources with the most claims about this event, of 2." in html
    (link,) = [h for h, _, t in links_in(html).links if t == "List every claim as a query"]
    rows = get(site + link.replace("/query?", "/query.json?")).json()["result"]["rows"]
    assert len({row[0]["iri"] for row in rows}) == 9


def test_a_write_through_the_server_shows_in_the_next_search_and_pages(
    store, settings, live_server_factory
):
    load_sample(store)
    app = create_app(settings.replace(write_token="secret"), store=store)
    site = live_server_factory(app).url
    assert get(site + "/search.json", params={"q": "Zanzibar"}).json()["results"] == []
    assert get(site + "/index.json").json()["counts"]["places"] == 0  # now cached
    graph = BASE + "graph/import/islands"
    place = iris.entity(BASE, "place", "zanzibar")
    turtle = ox.serialize(
        [ox.Triple(place, RDFS.label, ox.Literal("Zanzibar"))], format=ox.RdfFormat.TURTLE
    )
    written = requests.put(
        site + "/store",
        params={"graph": graph},
        data=turtle,
        headers={"Content-Type": "text/turtle", "Authorization": "Bearer secret"},
        timeout=30,
    )
    assert written.status_code == 201
    (hit,) = get(site + "/search.json", params={"q": "Zanzibar"}).json()["results"]
    assert hit["href"] == "/page/place/zanzibar"
    assert get(site + "/index.json").json()["counts"]["places"] == 0  # no rdf:type yet
    typed = ox.serialize(
        [
            ox.Triple(place, RDF.type, CG.Place),
            ox.Triple(place, RDFS.label, ox.Literal("Zanzibar")),
        ],
        format=ox.RdfFormat.TURTLE,
    )
    headers = {"Content-Type": "text/turtle", "Authorization": "Bearer secret"}
    requests.put(site + "/store", params={"graph": graph}, data=typed, headers=headers, timeout=30)
    assert get(site + "/index.json").json()["counts"]["places"] == 1  # the cache was dropped


def test_queries_sent_by_post_keep_the_cache_and_updates_drop_it(
    store, settings, live_server_factory
):
    load_sample(store)
    app = create_app(settings.replace(write_token="secret"), store=store)
    site = live_server_factory(app).url
    page_cache = app.extensions[views.CACHE_EXTENSION]
    assert get(site + "/index.json").json()["counts"]["places"] == 0
    assert len(page_cache) == 1
    asked = requests.post(site + "/sparql", data={"query": "ASK {}"}, timeout=30)
    assert asked.status_code == 200
    sent = requests.post(
        site + "/sparql",
        data=b"ASK {}",
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert sent.status_code == 200
    assert len(page_cache) == 1  # queries change nothing
    place = iris.entity(BASE, "place", "baku")
    update = f"INSERT DATA {{ GRAPH <{BASE}graph/import/x> {{ {place} a {CG.Place} }} }}"
    done = requests.post(
        site + "/sparql",
        data={"update": update},
        headers={"Authorization": "Bearer secret"},
        timeout=30,
    )
    assert done.status_code in (200, 204)
    assert len(page_cache) == 0
    assert get(site + "/index.json").json()["counts"]["places"] == 1


def test_a_construct_query_shows_triples_and_downloads_as_turtle(site):
    construct = (
        "PREFIX cg: <https://w3id.org/claimgraph/ontology#>\n"
        "CONSTRUCT { ?claim cg:count ?n } WHERE { ?claim cg:count ?n }"
    )
    data = get(site + "/query.json", params={"query": construct}).json()
    assert data["result"]["kind"] == "graph"
    assert data["result"]["columns"] == ["subject", "predicate", "object"]
    assert sorted(int(row[2]["value"]) for row in data["result"]["rows"]) == [
        20,
        131,
        150,
        744,
        800,
    ]
    (turtle,) = [d for d in data["downloads"] if d["format"] == "Turtle"]
    response = requests.get(site + turtle["href"], timeout=30)
    assert response.headers["Content-Type"].startswith("text/turtle")
    assert len(list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))) == 5


def test_a_page_whose_address_is_not_latin_1_still_names_its_twin(site):
    response = get(site + "/page/event/bak%C3%BC-%E2%80%94")
    assert response.status_code == 404
    assert response.headers["Link"] == (
        '</page/event/bak%C3%BC-%E2%80%94?format=json>; rel="alternate"; type="application/json"'
    )
