"""Hard synthetic bibliographic corpora with a ground-truth entity id, built from real records.

Usage: python benchmarks/generate.py N [--seed S] [--out DIR]
  writes DIR/records.csv (an export `dedupe` parses) and DIR/truth.csv (line -> entity_id).
Library: ``generate(n, seed)`` returns the record table (the toolkit's record columns plus
``entity_id``), the same for the same (n, seed) on every machine.

The vocabulary comes from the real records in ``../shared/bench`` (DBLP, ACM and Google
Scholar tables; never their ground-truth mappings, which are not read): titles are drawn
from a word-bigram model of the real titles, names recombine real given and family names,
venues and years follow the real distributions. Then the corpus is made hard:

- entities of 1 copy (60 %) or 2-10 copies, plus a few of 100-250 copies;
- each copy perturbed on its own: 20 % without year (2 % a year off by one), one-edit typos
  in a title word, junk title prefixes ("1994 . ", "[C] ", "[PDF] "), case changes, dropped
  subtitles, venue abbreviations (ISO 4 with and without dots, acronyms, truncation), name
  order ("Given Family" / "Family, Given"), initials-only names ("JG Hannoosh"), upper-case
  family names, stripped diacritics, "et al." lists, mojibake (UTF-8 read as cp1252 or GBK),
  DOIs as URLs, page and volume formats;
- near-identical titles of DIFFERENT papers: "Part I"/"Part II" siblings and papers sharing a
  title with a different year and venue (some of the big clusters come in such pairs).
"""

from __future__ import annotations

import argparse
import functools
import html
import os
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from anyascii import anyascii

from dedupe.core.records import written

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(os.environ.get("DEDUPE_BENCH_DIR", ROOT.parent / "shared" / "bench"))
TABLES = {  # file -> encoding; the *_perfectMapping.csv ground truths are never read
    "dblp_acm/DBLP2.csv": "latin-1",
    "dblp_acm/ACM.csv": "latin-1",
    "dblp_scholar/DBLP1.csv": "latin-1",
    "dblp_scholar/Scholar.csv": "utf-8",
}
RECORD_COLUMNS = [
    "record_id", "source_file", "source_line", "source_format", "role",
    "title", "authors", "authors_norm", "year", "journal", "volume", "issue", "pages",
    "doi", "abstract",
]  # fmt: skip
EXPORT_COLUMNS = ["title", "authors", "year", "journal", "volume", "issue", "pages", "doi"]
ROWS_PER_FILE = 50_000

# Venue words and their ISO 4 abbreviations (data, not logic); stop words are dropped.
VENUE_ABBREVIATIONS = {
    "international": "Int", "conference": "Conf", "journal": "J", "transactions": "Trans",
    "proceedings": "Proc", "systems": "Syst", "system": "Syst", "computer": "Comput",
    "computing": "Comput", "science": "Sci", "sciences": "Sci", "management": "Manag",
    "information": "Inf", "engineering": "Eng", "research": "Res", "review": "Rev",
    "social": "Soc", "society": "Soc", "psychology": "Psychol", "communications": "Commun",
    "symposium": "Symp", "workshop": "Wksp", "association": "Assoc", "european": "Eur",
    "american": "Am", "national": "Natl", "technology": "Technol", "applications": "Appl",
    "letters": "Lett", "quarterly": "Q", "annual": "Annu", "database": "Database",
    "databases": "Databases", "education": "Educ", "medicine": "Med", "medical": "Med",
    "physics": "Phys", "chemistry": "Chem", "biology": "Biol", "networks": "Netw",
    "personality": "Pers", "mathematics": "Math", "mathematical": "Math",
    "artificial": "Artif", "intelligence": "Intell", "software": "Softw",
    "distributed": "Distrib", "parallel": "Parallel", "processing": "Process",
    "development": "Dev", "environmental": "Environ", "advances": "Adv",
}  # fmt: skip
VENUE_STOPWORDS = {"of", "on", "the", "and", "for", "in", "&", "de"}
JUNK_PREFIXES = ["[C] ", "[PDF] ", "[BOOK] ", "[CITATION] ", "[HTML] "]
PART_SUFFIXES = [(": Part I", ": Part II"), (" (Part 1)", " (Part 2)"), (" I", " II")]

_WORD = re.compile(r"^[^\W\d_][^\W\d_'\-]*(?:[-'][^\W\d_]+)*$")
_TITLE_JUNK = re.compile(r"^\s*(?:\[[A-Z]+\]\s*)+|^\s*\d{4}\s*\.\s*")
_CLEAN_TITLE = re.compile(r"^[^\W_][\w \-:,'()?/]*[\w)?]$")
_CLEAN_TOKEN = re.compile(r"^[\w(][\w\-')]*[:,?]?$|^[\w(][\w\-')]*[)]?$")


@dataclass(frozen=True)
class Vocabulary:
    """Real words, names, venues and years the generator draws from."""

    words: np.ndarray  # title tokens; 0 is the start/end token
    edge_src: np.ndarray  # bigram transitions sorted by source token
    edge_dst: np.ndarray
    edge_start: np.ndarray  # first transition of each token
    edge_count: np.ndarray
    givens: np.ndarray
    families: np.ndarray
    accented: np.ndarray  # family names with non-ASCII letters
    venues: np.ndarray
    venue_p: np.ndarray
    years: np.ndarray


def _read_tables(bench: Path) -> pd.DataFrame:
    frames = []
    for name, encoding in TABLES.items():
        path = bench / name
        if not path.exists():
            raise SystemExit(
                f"Error: {path}: benchmark table not found; set DEDUPE_BENCH_DIR to the "
                "folder holding dblp_acm/ and dblp_scholar/."
            )
        frame = pd.read_csv(path, encoding=encoding, dtype=str, keep_default_na=False)
        frames.append(frame[["title", "authors", "venue", "year"]])
    return pd.concat(frames, ignore_index=True)


def _clean_titles(titles: pd.Series) -> list[list[str]]:
    out = []
    for t in titles:
        t = _TITLE_JUNK.sub("", html.unescape(t)).strip()
        tokens = t.split()
        if (
            3 <= len(tokens) <= 20
            and _CLEAN_TITLE.match(t)
            and all(_CLEAN_TOKEN.match(w) and not w[1:].isupper() for w in tokens)
        ):
            out.append(tokens)
    return out


def _bigrams(token_lists: list[list[str]]) -> tuple[np.ndarray, ...]:
    words = ["\x00"] + sorted({w for ts in token_lists for w in ts})
    index = {w: i for i, w in enumerate(words)}
    src, dst = [], []
    for ts in token_lists:
        ids = [0] + [index[w] for w in ts] + [0]
        src.extend(ids[:-1])
        dst.extend(ids[1:])
    s, d = np.array(src), np.array(dst)
    order = np.argsort(s, kind="stable")
    count = np.bincount(s, minlength=len(words))
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    return np.array(words, dtype=object), s[order], d[order], start, count


def _names(authors: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    givens, families = [], []
    for raw in authors:
        for name in html.unescape(raw).split(","):
            parts = name.split()
            if len(parts) < 2 or "\ufffd" in name:
                continue
            family = parts[-1]
            if _WORD.match(family) and len(family) > 1 and not family.isupper():
                families.append(family)
            if _WORD.match(parts[0]) and len(parts[0]) > 2 and not parts[0].isupper():
                givens.append(parts[0])
    return np.array(givens, dtype=object), np.array(families, dtype=object)


def _venues(venues: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    clean = venues.map(lambda v: html.unescape(v).strip().rstrip(",. ").split(" &mdash;")[0])
    clean = clean[clean.str.len().between(3, 80) & ~clean.str.contains("\ufffd|&|\\d")]
    counts = clean.value_counts()
    counts = counts[counts >= 3]
    return counts.index.to_numpy(dtype=object), (counts / counts.sum()).to_numpy()


def load_vocabulary(bench: Path = BENCH) -> Vocabulary:
    """The real titles, names, venues and years under ``bench`` as generator vocabulary."""
    return _vocabulary(str(Path(bench).resolve()))


@functools.lru_cache(maxsize=2)
def _vocabulary(bench: str) -> Vocabulary:
    table = _read_tables(Path(bench))
    givens, families = _names(table["authors"])
    accented = np.unique(families[[not f.isascii() for f in families]])
    venues, venue_p = _venues(table["venue"])
    years = pd.to_numeric(table["year"], errors="coerce").dropna().astype(int)
    years = years[(years >= 1950) & (years <= 2012)].to_numpy()
    return Vocabulary(
        *_bigrams(_clean_titles(table["title"])),
        givens, families, accented, venues, venue_p, years,
    )  # fmt: skip


# --- entities -------------------------------------------------------------------------


def _titles(voc: Vocabulary, n: int, rng: np.random.Generator) -> list[str]:
    """``n`` distinct titles of 4-16 words walked from the bigram model."""
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        m = int((n - len(out)) * 1.5) + 100
        tokens = np.zeros((m, 16), dtype=np.int64)
        cur = np.zeros(m, dtype=np.int64)
        done = np.zeros(m, dtype=bool)
        for step in range(16):
            pick = voc.edge_start[cur] + (rng.random(m) * voc.edge_count[cur]).astype(np.int64)
            cur = np.where(done, 0, voc.edge_dst[pick])
            done |= cur == 0
            tokens[:, step] = cur
        lengths = np.argmin(np.concatenate([tokens, np.zeros((m, 1), int)], 1) != 0, axis=1)
        for row, k in zip(tokens, lengths):
            if k < 4:
                continue
            title = " ".join(voc.words[row[:k]])
            key = re.sub(r"\W+", "", title.lower())
            if key not in seen and len(out) < n:
                seen.add(key)
                out.append(title[0].upper() + title[1:])
    return out


def _sizes(n: int, rng: np.random.Generator, big: int, singletons: float) -> tuple[np.ndarray, int]:
    """Copies per entity, summing to ``n``: ``big`` of 100-250, the rest 1 or 2-10."""
    big_sizes = rng.integers(100, 251, big) if big else np.zeros(0, int)
    big_sizes = big_sizes[np.cumsum(big_sizes) <= n // 2]
    rest = n - int(big_sizes.sum())
    k = np.arange(2, 11)
    p = np.concatenate([[singletons], (1 - singletons) * k**-1.5 / (k**-1.5).sum()])
    sizes = rng.choice(np.arange(1, 11), size=rest, p=p)
    sizes = sizes[: np.searchsorted(np.cumsum(sizes), rest) + 1]
    sizes[-1] -= int(sizes.sum()) - rest
    return np.concatenate([big_sizes, sizes[sizes > 0]]), len(big_sizes)


def _authors(voc: Vocabulary, m: int, rng: np.random.Generator) -> list[list[tuple]]:
    counts = np.minimum(rng.geometric(0.4, m), 8)
    total = int(counts.sum())
    fam = voc.families[rng.integers(0, len(voc.families), total)]
    accent = rng.random(total) < 0.08
    if len(voc.accented):
        fam[accent] = voc.accented[rng.integers(0, len(voc.accented), int(accent.sum()))]
    giv = voc.givens[rng.integers(0, len(voc.givens), total)]
    middle = np.where(rng.random(total) < 0.2, rng.choice(list("ABCDEFGHJKLMPRSTW"), total), "")
    names = [(g + (f" {mi}." if mi else ""), f) for g, mi, f in zip(giv, middle, fam)]
    ends = np.cumsum(counts)
    return [names[e - c : e] for c, e in zip(counts, ends)]


def _entities(voc: Vocabulary, sizes: np.ndarray, big: int, rng: np.random.Generator) -> dict:
    """One clean entity per size (columns as arrays), with sibling traps: different papers
    with near-identical titles."""
    m = len(sizes)
    ent = {
        "title": np.array(_titles(voc, m, rng), dtype=object),
        "year": voc.years[rng.integers(0, len(voc.years), m)],
        "venue": rng.choice(voc.venues, m, p=voc.venue_p),
        "volume": rng.integers(1, 60, m),
        "issue": rng.integers(1, 13, m),
        "first_page": rng.integers(1, 1500, m),
        "page_count": rng.integers(1, 30, m),
        "authors": np.empty(m, dtype=object),
    }
    for k, names in enumerate(_authors(voc, m, rng)):
        ent["authors"][k] = names
    doi = np.array([f"10.{1000 + i % 8000}/b{i * 7919 % 10**7:07d}" for i in range(m)], object)
    ent["doi"] = np.where(rng.random(m) < 0.3, doi, None)
    # sibling traps: entity j = a different paper with (nearly) the title of entity j - 1
    trap = np.zeros(m, bool)
    trap[1:big:2] = True  # big clusters pair up
    small = np.arange(big + 1, m)
    trap[small[rng.random(len(small)) < 0.04]] = True
    trap[1:] = trap[1:] & ~trap[:-1]  # a trap's elder is not itself a trap
    for j in np.flatnonzero(trap):
        _make_sibling(ent, int(j), rng)
    return ent


def _make_sibling(ent: dict, j: int, rng: np.random.Generator) -> None:
    """Turn entity j into a different paper titled like entity j - 1."""
    i = j - 1
    if rng.random() < 0.5:  # Part I / Part II of one work, same authors and venue
        one, two = PART_SUFFIXES[rng.integers(0, len(PART_SUFFIXES))]
        base = ent["title"][i]
        ent["title"][i], ent["title"][j] = base + one, base + two
        ent["authors"][j] = ent["authors"][i]
        ent["venue"][j] = ent["venue"][i]
        ent["year"][j] = ent["year"][i] + rng.integers(0, 2)
    else:  # same title, another year and venue (a workshop and a journal paper)
        ent["title"][j] = ent["title"][i]
        ent["year"][j] = ent["year"][i] + rng.integers(1, 6)
        if rng.random() < 0.5:
            ent["authors"][j] = ent["authors"][i][:1] + ent["authors"][j][1:]


# --- perturbations --------------------------------------------------------------------


def typo(word: str, rng: np.random.Generator) -> str:
    """One edit (substitution, deletion, insertion or transposition) inside ``word``."""
    pos = int(rng.integers(1, len(word) - 1))
    letters = "abcdefghijklmnopqrstuvwxyz".replace(word[pos].lower(), "")
    letter = letters[int(rng.integers(0, len(letters)))]
    op = int(rng.integers(0, 4))
    if op == 0:
        return word[:pos] + letter + word[pos + 1 :]
    if op == 1 or (op == 3 and word[pos - 1] == word[pos]):
        return word[:pos] + word[pos + 1 :]
    if op == 2:
        return word[:pos] + letter + word[pos:]
    return word[: pos - 1] + word[pos] + word[pos - 1] + word[pos + 1 :]


def _typo_title(title: str, rng: np.random.Generator) -> str:
    words = title.split(" ")
    long = [k for k, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if long:
        k = long[int(rng.integers(0, len(long)))]
        words[k] = typo(words[k], rng)
    return " ".join(words)


def mojibake(text: str, gbk: bool = False) -> str:
    """``text`` as UTF-8 bytes wrongly decoded as cp1252 (or GBK)."""
    text = text.replace("'", "\u2019").replace(" - ", " \u2013 ")
    data = text.encode("utf-8")
    return data.decode("gbk", errors="replace") if gbk else data.decode("cp1252", "replace")


def strip_accents(text: str) -> str:
    """``text`` with diacritics removed ("Güting" -> "Guting", "Ø" -> "O")."""
    if text.isascii():
        return text
    bare = unicodedata.normalize("NFKD", text)
    return anyascii("".join(c for c in bare if not unicodedata.combining(c)))


def abbreviate(venue: str, style: int) -> str:
    """ISO 4 abbreviation with dots (0), WoS upper case without dots (1) or an acronym (2)."""
    words = [w for w in venue.split() if w.lower() not in VENUE_STOPWORDS]
    if style == 2 and len(words) >= 3:
        return "".join(w[0].upper() for w in words)
    short = [VENUE_ABBREVIATIONS.get(w.lower(), w) for w in words]
    dotted = [s + "." if s != w and len(s) < len(w) else s for s, w in zip(short, words)]
    return " ".join(dotted) if style == 0 else " ".join(short).upper()


def _pick(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    return np.flatnonzero(rng.random(n) < p)


def _perturb_titles(titles: np.ndarray, years: np.ndarray, rng: np.random.Generator) -> None:
    n = len(titles)
    for k in _pick(rng, n, 0.20):
        titles[k] = _typo_title(titles[k], rng)
    for k in _pick(rng, n, 0.06):
        titles[k] = titles[k].split(": ")[0] if ": " in titles[k] else titles[k] + "."
    case = rng.random(n)
    for k in np.flatnonzero(case < 0.05):
        titles[k] = titles[k].upper()
    for k in np.flatnonzero((case >= 0.05) & (case < 0.10)):
        titles[k] = titles[k].lower()
    for k in _pick(rng, n, 0.04):
        titles[k] = f"{years[k]} . {titles[k]}"
    for k in _pick(rng, n, 0.04):
        titles[k] = JUNK_PREFIXES[int(rng.integers(0, len(JUNK_PREFIXES)))] + titles[k]
    for k in _pick(rng, n, 0.02):
        titles[k] = mojibake(titles[k])


def _render_names(
    names: list[tuple], style: int, upper: bool, bare: bool
) -> tuple[list[str], list[str]]:
    """(raw names, the same as "Family, Given") in one of four source styles: lists, as a
    parser hands them on."""
    raw, norm = [], []
    for given, family in names:
        if bare:
            given, family = strip_accents(given), strip_accents(family)
        if upper:
            family = family.upper()
        if style >= 2:  # initials only: "JG Hannoosh" or "Hannoosh J.G."
            given = "".join(p[0] for p in given.replace(".", "").split())
            if style == 3:
                given = ".".join(given) + "."
        raw.append(f"{family}, {given}" if style in (1, 3) else f"{given} {family}")
        norm.append(f"{family}, {given}")
    return raw, norm


def _perturb_authors(lists: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    n = len(lists)
    style = rng.choice(4, n, p=[0.35, 0.3, 0.25, 0.1])
    upper, bare = rng.random(n) < 0.05, rng.random(n) < 0.3
    cut, broken, gone = rng.random(n), rng.random(n), rng.random(n) < 0.02
    raw = np.empty(n, dtype=object)
    norm = np.empty(n, dtype=object)
    for k, names in enumerate(lists):
        etal = cut[k] < 0.05 and len(names) >= 4
        r, m = _render_names(names[:3] if etal else names, style[k], upper[k], bare[k])
        if etal:
            r.append("et al.")
        if broken[k] < 0.03 and not all(map(str.isascii, r)):
            r = [mojibake(x, gbk=broken[k] < 0.01) for x in r]
            m = [mojibake(x, gbk=broken[k] < 0.01) for x in m]
        raw[k], norm[k] = (None, None) if gone[k] else (r, m)
    return raw, norm


def _perturb_venues(venues: np.ndarray, rng: np.random.Generator) -> None:
    u = rng.random(len(venues))
    for k in np.flatnonzero(u < 0.35):
        v = venues[k]
        if u[k] < 0.15:
            venues[k] = abbreviate(v, 0)
        elif u[k] < 0.22:
            venues[k] = abbreviate(v, 1)
        elif u[k] < 0.26:
            venues[k] = abbreviate(v, 2)
        elif u[k] < 0.30 and len(v) > 24:
            venues[k] = v[: int(rng.integers(18, len(v) - 3))]
        else:
            venues[k] = None


def _numbers(ent: dict, eid: np.ndarray, rng: np.random.Generator) -> dict:
    n = len(eid)
    vol = ent["volume"][eid].astype(str)
    iss = ent["issue"][eid].astype(str)
    first = ent["first_page"][eid]
    last = first + ent["page_count"][eid]
    pages = np.char.add(np.char.add(first.astype(str), "-"), last.astype(str))
    short = np.char.add(np.char.add(first.astype(str), "-"), (last % 100).astype(str))
    u = rng.random(n)
    pages = np.where(u < 0.15, short, np.where(u < 0.25, np.char.add("pp. ", pages), pages))
    vol = np.where(rng.random(n) < 0.1, np.char.add("vol. ", vol), vol)
    doi = ent["doi"][eid]
    has = np.array([isinstance(d, str) for d in doi]) & (rng.random(n) < 0.6)
    url = rng.random(n) < 0.2
    doi = np.array(
        [(("https://doi.org/" + d) if w else d) if h else None for d, h, w in zip(doi, has, url)],
        dtype=object,
    )
    return {
        "volume": np.where(rng.random(n) < 0.3, None, vol),
        "issue": np.where(rng.random(n) < 0.45, None, iss),
        "pages": np.where(rng.random(n) < 0.4, None, pages),
        "doi": doi,
    }


def generate(
    n: int,
    seed: int = 0,
    big_clusters: int | None = None,
    singletons: float = 0.6,
    bench: Path = BENCH,
) -> pd.DataFrame:
    """``n`` records in the record-table columns plus ``entity_id`` (the ground truth).

    ``big_clusters`` entities get 100-250 copies (default: n // 125,000, at least 1 from
    2,000 records, at most 8; at most half the records).
    """
    rng = np.random.default_rng(seed)
    voc = load_vocabulary(bench)
    if big_clusters is None:
        big_clusters = 0 if n < 2000 else int(np.clip(n // 125_000, 1, 8))
    sizes, big_clusters = _sizes(n, rng, big_clusters, singletons)
    ent = _entities(voc, sizes, big_clusters, rng)
    eid = rng.permutation(np.repeat(np.arange(len(sizes)), sizes))
    year = ent["year"][eid] + np.where(rng.random(n) < 0.02, rng.choice([-1, 1], n), 0)
    titles = ent["title"][eid]
    _perturb_titles(titles, year, rng)
    venues = ent["venue"][eid].astype(object)
    _perturb_venues(venues, rng)
    authors, authors_norm = _perturb_authors(ent["authors"][eid], rng)
    line = np.arange(n)
    out = pd.DataFrame(
        {
            "record_id": [f"gen#{i}" for i in line],
            "source_file": [f"generated/part-{i:03d}.csv" for i in line // ROWS_PER_FILE],
            "source_line": line % ROWS_PER_FILE + 2,
            "source_format": "csv",
            "role": "main",
            "title": titles,
            "authors": authors,
            "authors_norm": authors_norm,
            "year": np.where(rng.random(n) < 0.2, None, year.astype(str)),
            "journal": venues,
            **_numbers(ent, eid, rng),
            "abstract": None,
        }
    )
    out = out.astype(object).where(out.notna(), None)
    out["source_line"] = out["source_line"].astype("int64")
    out["entity_id"] = eid
    return out[RECORD_COLUMNS + ["entity_id"]]


def true_pairs(entity_id: np.ndarray) -> int:
    """Number of record pairs that share an entity."""
    counts = np.bincount(np.asarray(entity_id))
    return int((counts * (counts - 1) // 2).sum())


def write(records: pd.DataFrame, out: Path) -> tuple[Path, Path]:
    """Write ``records.csv`` (an export `dedupe` parses) and ``truth.csv`` under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    csv, truth = out / "records.csv", out / "truth.csv"
    written(records[EXPORT_COLUMNS]).to_csv(csv, index=False)  # author lists "; "-joined
    pd.DataFrame(
        {"source_line": np.arange(len(records)) + 2, "entity_id": records["entity_id"]}
    ).to_csv(truth, index=False)
    return csv, truth


def main(argv: list[str] | None = None) -> None:
    """Command line: write a generated corpus and its ground truth."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path("generated"))
    args = ap.parse_args(argv)
    records = generate(args.n, args.seed)
    csv, truth = write(records, args.out)
    print(
        f"{len(records):,} records of {records['entity_id'].nunique():,} papers "
        f"({true_pairs(records['entity_id']):,} true pairs) -> {csv}, {truth}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
