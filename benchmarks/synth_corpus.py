"""Synthesize a corpus in the seeds' genre: statements on anniversaries of mass atrocities.

Each document is an ombudsperson's, ministry's or NGO's statement (or a news article
reporting one) with the parts the loader extracts: a heading, an anniversary and dates,
legal characterizations, casualty figures with breakdowns (digits, separators, words,
hedges), perpetrators, violated instruments with article lists, recognitions, calls to
action and a signature. Places, people and events are invented (no real event gets
made-up figures); templates and vocabulary are this module's own and nothing is
fetched. Output is deterministic for a seed: ~85% .txt, ~10% .md with front matter,
~5% .html pages with navigation to drop.

    python -m benchmarks.synth_corpus /tmp/claimgraph-bench/corpus-1000 --docs 1000
"""

from __future__ import annotations

import argparse
import html
import random
from pathlib import Path

TOWNS = [
    "Varnek",
    "Ostrava Dol",
    "Kelmir",
    "Sarvan",
    "Drevno",
    "Altyn Bel",
    "Mirovka",
    "Hasmeli",
    "Tazar",
    "Belvo",
    "Korinth Vale",
    "Yarosk",
    "Umbria Nova",
    "Pelk",
]
COUNTRIES = [
    "Republic of Valdoria",
    "Merovian Federation",
    "State of Karsia",
    "Republic of Ostenland",
    "Kingdom of Brevia",
    "Union of Lorath",
]
PEOPLE = [
    "Amira Solvak",
    "Teodor Vance",
    "Leyla Marand",
    "Jonas Ferreiro",
    "Nadia Okon",
    "Emil Haverton",
    "Selin Arkadi",
    "Rustam Eldor",
    "Ines Vallore",
    "Mikael Durand",
]
ISSUERS = [
    "Commissioner for Human Rights (Ombudsman) of the {country}",
    "Ministry of Foreign Affairs of the {country}",
    "Network of Civil Society Organizations for the Rights of Displaced Persons",
    "National Human Rights Institution of the {country}",
    "Association of Families of the Missing",
]
OUTLETS = ["Daily Meridian", "Valdor Press", "Eastgate News Agency", "The Lorath Observer"]
CASUALTY_VERBS = [
    "were wounded",
    "were taken hostage",
    "remain missing",
    "were forcibly displaced",
    "were injured",
]
CATEGORIES = [
    "genocide",
    "a crime against humanity",
    "crimes against humanity",
    "war crimes",
    "an act of terror",
    "ethnic cleansing",
    "a massacre",
]
PERPETRATORS = [
    "the armed forces of the {country}",
    "paramilitary units",
    "the {n}th Motorized Brigade",
    "security forces acting on government orders",
    "irregular militias supported by the {country}",
]
INSTRUMENTS = [
    ("the International Covenant on Civil and Political Rights", "ICCPR"),
    ("the Convention on the Prevention and Punishment of the Crime of Genocide", None),
    ("the Fourth Geneva Convention", None),
    ("the Rome Statute of the International Criminal Court", None),
    ("the Convention against Torture", "CAT"),
    ("the Universal Declaration of Human Rights", "UDHR"),
    ("the Convention on the Rights of the Child", "CRC"),
]
BODIES = [
    "the United Nations Human Rights Council",
    "the European Parliament",
    "the Parliamentary Assembly of the Council of Europe",
    "the Organization of Islamic Cooperation",
    "the national parliaments of several states",
    "UNESCO",
]
ADDRESSEES = [
    "the international community",
    "the United Nations and its mechanisms",
    "international human rights organizations",
    "the Office of the High Commissioner for Human Rights",
    "the International Committee of the Red Cross",
]
ACTIONS = [
    "give a proper legal assessment of these events",
    "bring those responsible to justice",
    "recognize the events as {category}",
    "establish an independent international investigation",
    "ensure the return of the remains of the missing",
]
WORD_NUMBERS = {
    2: "Two",
    3: "Three",
    5: "Five",
    8: "Eight",
    12: "Twelve",
    20: "Twenty",
    25: "Twenty-five",
    33: "Thirty-three",
    40: "Forty",
}
EVENT_KINDS = ["massacre", "tragedy", "pogrom", "genocide", "siege"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _figure(rng: random.Random, n: int) -> str:
    """A number as statements write it: digits, separators, words or hedged."""
    style = rng.random()
    if style < 0.5:
        return f"{n:,}"
    if style < 0.65 and n < 10_000:
        return f"nearly {n // 100 * 100 or n:,}"
    if style < 0.8:
        return f"more than {n:,}"
    return str(n)


def document(rng: random.Random, index: int) -> tuple[str, str, str]:
    """(title, body text, signature) of one synthetic statement."""
    country, enemy = rng.sample(COUNTRIES, 2)
    town = rng.choice(TOWNS)
    kind = rng.choice(EVENT_KINDS)
    year = rng.randint(1980, 2005)
    years = rng.randint(20, 45)
    month, day = rng.randrange(12), rng.randint(1, 27)
    issuer = rng.choice(ISSUERS).format(country=country)
    event = f"{town} {kind.capitalize()}"
    killed = rng.randint(40, 9000)
    children, women = rng.randint(5, killed // 5 + 5), rng.randint(5, killed // 4 + 5)
    elderly = rng.randint(3, killed // 6 + 3)
    category, category2 = rng.sample(CATEGORIES, 2)
    perpetrator = rng.choice(PERPETRATORS).format(country=enemy, n=rng.randint(101, 399))
    instruments = rng.sample(INSTRUMENTS, rng.randint(1, 3))
    articles = sorted(rng.sample(range(1, 30), rng.randint(1, 4)))
    article_text = (
        f"Article {articles[0]}"
        if len(articles) == 1
        else "Articles " + ", ".join(map(str, articles[:-1])) + f", and {articles[-1]}"
    )
    word_n = rng.choice(list(WORD_NUMBERS))
    extra_verb = rng.choice(CASUALTY_VERBS)
    paragraphs = [
        f"{years} years have passed since the {event}, one of the gravest crimes committed "
        f"against the civilian population of the {country}.",
        f"On the night of {MONTHS[month]} {day} to {day + 1}, {year}, {perpetrator} attacked "
        f"the town of {town}. As a result of this {kind}, {_figure(rng, killed)} civilians were "
        f"killed, including {children} children, {women} women and {elderly} elderly people. "
        f"{WORD_NUMBERS[word_n]} families were completely wiped out, and "
        f"{_figure(rng, rng.randint(100, 5000))} people {extra_verb}.",
        f"These acts constitute {category} and {category2} under international law. They "
        f"violated {article_text} of {instruments[0][0]}"
        + (
            ""
            if len(instruments) == 1
            else f", as well as {' and '.join(name for name, _ in instruments[1:])}"
        )
        + ".",
        f"The {event} has been recognized as {category} by {rng.choice(BODIES)}"
        + (f" and condemned by {rng.choice(BODIES)}." if rng.random() < 0.5 else "."),
        f"We call on {rng.choice(ADDRESSEES)} to "
        + rng.choice(ACTIONS).format(category=category)
        + f", and urge {rng.choice(ADDRESSEES)}"
        f" to {rng.choice(ACTIONS).format(category=category)}.",
    ]
    if rng.random() < 0.3:  # a news article reporting the statement
        outlet = rng.choice(OUTLETS)
        paragraphs.insert(
            0,
            f"As {outlet} reports, the {issuer} issued a statement on the "
            f"{_ordinal(years)} anniversary of the {event}.",
        )
    tail = paragraphs[2:]
    rng.shuffle(tail)
    paragraphs[2:] = tail
    title = f"Statement by the {issuer} on the {_ordinal(years)} anniversary of the {event}"
    signature = (
        f"{rng.choice(PEOPLE)}\n{issuer}\n{MONTHS[month]} {day}, {year + years}"
        if rng.random() < 0.7
        else ""
    )
    return title, "\n\n".join(paragraphs), signature


def render(rng: random.Random, index: int) -> tuple[str, bytes]:
    """(file name, bytes) of document ``index`` in one of the supported formats."""
    title, body, signature = document(rng, index)
    style = rng.random()
    stem = f"synth-{index:05d}"
    if style < 0.05:
        paras = "".join(f"<p>{html.escape(p)}</p>\n" for p in body.split("\n\n"))
        page = (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title></head><body>"
            '<nav><a href="/">Home</a> <a href="/news">News</a></nav>'
            f"<main><h1>{html.escape(title)}</h1>\n{paras}"
            f"<p>{html.escape(signature).replace(chr(10), '<br>')}</p></main>"
            "<footer>All rights reserved</footer></body></html>"
        )
        return f"{stem}.html", page.encode("utf-8")
    if style < 0.15:
        text = f"---\nlanguage: en\n---\n## {title}\n\n{body}\n\n{signature}\n"
        return f"{stem}.md", text.encode("utf-8")
    return f"{stem}.txt", f"{title}\n{body}\n{signature}\n".encode()


def synthesize(folder: Path, docs: int, seed: int = 1) -> list[Path]:
    """Write ``docs`` documents into ``folder`` (created); returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for index in range(docs):
        name, data = render(rng, index)
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    paths = synthesize(args.folder, args.docs, args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} documents, {size:,} bytes in {args.folder}")


if __name__ == "__main__":
    main()
