"""Normalisation for matching, kept beside the original values (never replacing them).

Folding is transliteration-aware through anyascii ("Øgård-Repål" -> "ogard repal"), folds
case, quotes and dashes, strips the page chrome the validation checks know (breadcrumbs,
glued labels), unescapes HTML entities and expands common journal abbreviations.
Column work runs on Arrow strings; anyascii runs only on the non-ASCII values.

>>> fold_one("Øgård-Repål")
'ogard repal'
>>> journal_key_one("J MENTAL HEALTH") == journal_key_one("Journal of Mental Health")
True
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
from anyascii import anyascii

from .checks import COMPILED

# Journal abbreviations (ISO 4 / WoS style) expanded before comparison; data, not logic.
JOURNAL_ABBREVIATIONS = {
    "j": "journal", "jnl": "journal", "int": "international", "intl": "international",
    "res": "research", "serv": "services", "ment": "mental", "hlth": "health",
    "soc": "social", "sci": "science", "proc": "proceedings", "conf": "conference",
    "rev": "review", "med": "medicine", "psychol": "psychology", "psychiatr": "psychiatric",
    "psychiatry": "psychiatry", "am": "american", "natl": "national", "technol": "technology",
    "trans": "transactions", "syst": "systems", "adm": "administration", "nurs": "nursing",
    "q": "quarterly", "ann": "annals", "bull": "bulletin", "commun": "communications",
    "comput": "computing", "eng": "engineering", "inf": "information", "manag": "management",
    "mgmt": "management", "dev": "development", "educ": "education", "environ": "environmental",
    "biol": "biology", "chem": "chemistry", "phys": "physics", "eur": "european",
    "br": "british", "brit": "british", "can": "canadian", "aust": "australian",
    "pract": "practice", "stud": "studies", "assoc": "association", "clin": "clinical",
    "rehabil": "rehabilitation", "community": "community", "symp": "symposium",
    "db": "database", "dbs": "database", "acm": "acm", "ieee": "ieee",
}
STOPWORDS = {"a", "an", "the", "of", "and", "in", "on", "for", "to", "with", "by", "at",
             "from", "its", "is", "as", "or", "de", "la", "und", "der"}
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold_one(text: str | None) -> str | None:
    """Fold one string: unescape, transliterate, lower-case, punctuation to single spaces."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    text = html.unescape(str(text))
    if not text.isascii():
        text = anyascii(text)
    return _NON_ALNUM.sub(" ", text.lower()).strip() or None


def fold(series: pd.Series) -> pd.Series:
    """``fold_one`` over a column, computed once per distinct value."""
    values = series.astype(object).where(series.notna(), None)
    uniq = pd.unique(values.dropna())
    mapping = dict(zip(uniq, map(fold_one, uniq)))
    return values.map(mapping).astype(object)


def strip_chrome(series: pd.Series) -> pd.Series:
    """Remove breadcrumbs, page chrome and glued labels the checks know, for matching."""
    text = series.astype(object).where(series.notna(), None)
    rx = [COMPILED["page_chrome"], COMPILED["glued_label"]]

    def clean(t: str) -> str:
        for r in rx:
            t = r.sub(" ", t)
        return t
    uniq = pd.unique(text.dropna())
    return text.map(dict(zip(uniq, map(clean, uniq))))


def title_key(series: pd.Series) -> pd.Series:
    """Folded title without chrome: the form titles are compared in."""
    return fold(strip_chrome(series))


def journal_key_one(text: str | None) -> str | None:
    """A journal name with abbreviations expanded and stop words dropped."""
    folded = fold_one(text.replace("&", " and ") if isinstance(text, str) else text)
    if not folded:
        return None
    words = [JOURNAL_ABBREVIATIONS.get(w, w) for w in folded.split()]
    return " ".join(w for w in words if w not in STOPWORDS) or None


def journal_key(series: pd.Series) -> pd.Series:
    """``journal_key_one`` over a column, once per distinct value."""
    values = series.astype(object).where(series.notna(), None)
    uniq = pd.unique(values.dropna())
    return values.map(dict(zip(uniq, map(journal_key_one, uniq)))).astype(object)


def doi_key(series: pd.Series) -> pd.Series:
    """Lower-cased bare DOI ("https://doi.org/10.1/X." -> "10.1/x"), None if not a DOI."""
    text = series.astype("string").str.lower().str.strip()
    doi = text.str.extract(r"(10\.\d{4,9}/[^\s\"<>]+)")[0].str.rstrip(".,;")
    return doi.astype(object).where(doi.notna(), None)


def author_keys(authors_norm: pd.Series) -> pd.DataFrame:
    """Folded family names of "Family, Given; ..." lists: all (space-joined) and first.

    Returns columns ``families`` (sorted, space-joined family tokens), ``first_family`` and
    ``first_initial``.
    """
    values = authors_norm.astype(object).where(authors_norm.notna(), None)
    uniq = pd.unique(values.dropna())
    parsed = {u: _author_key_one(u) for u in uniq}
    fam = values.map(lambda v: parsed[v][0] if v is not None else None)
    first = values.map(lambda v: parsed[v][1] if v is not None else None)
    init = values.map(lambda v: parsed[v][2] if v is not None else None)
    return pd.DataFrame({"families": fam, "first_family": first, "first_initial": init},
                        index=authors_norm.index)


def _author_key_one(authors: str) -> tuple[str | None, str | None, str | None]:
    fams, first, initial = [], None, None
    for i, name in enumerate(authors.split(";")):
        family, _, given = name.partition(",")
        f = fold_one(family)
        if not f:
            continue
        fams.append(f.replace(" ", ""))
        if first is None:
            first = fams[-1]
            g = fold_one(given)
            initial = g[0] if g else None
    return (" ".join(sorted(set(fams))) or None), first, initial


def year_int(series: pd.Series) -> pd.Series:
    """Year as a nullable integer (None where not a plausible year)."""
    num = pd.to_numeric(series.astype("string").str.extract(r"(\d{4})")[0], errors="coerce")
    return num.where(num.between(1500, 2200)).astype("Int64")


def first_page(series: pd.Series) -> pd.Series:
    """The first page (letters kept: "E4051"), folded; None when absent."""
    text = series.astype("string").str.strip().str.extract(r"^([A-Za-z]*\d+)")[0]
    return text.str.lower().str.lstrip("0").astype(object).where(text.notna(), None)


def number_key(series: pd.Series) -> pd.Series:
    """Volume/issue without leading zeros ("05" -> "5"), lower-case; None when absent."""
    text = series.astype("string").str.strip().str.lower().str.lstrip("0")
    return text.astype(object).where(text.notna() & (text != ""), None)


def title_information(titles: pd.Series) -> pd.Series:
    """Bits of information in each title: the sum of log2(N/df) over its distinct
    significant tokens, df counted over the corpus (Splink's term-frequency idea, per token).

    "Reports" or "Chair's Message" carry few bits; a specific title carries many.
    """
    n = len(titles)
    tok = titles.reset_index(drop=True).str.split().explode().dropna()
    tok = tok[~tok.isin(STOPWORDS)]
    df = pd.DataFrame({"i": tok.index.to_numpy(), "t": tok.to_numpy()}).drop_duplicates()
    if df.empty:
        return pd.Series(0.0, index=titles.index)
    freq = df.groupby("t")["i"].transform("size").to_numpy()
    bits = pd.Series(np.log2((n + 1) / freq)).groupby(df["i"].to_numpy()).sum()
    return pd.Series(bits.reindex(range(n)).fillna(0).to_numpy(), index=titles.index)


def normalise_records(records: pd.DataFrame) -> pd.DataFrame:
    """The matching view of a record table: one folded key column per compared field."""
    out = pd.DataFrame(index=records.index)
    out["record_id"] = records["record_id"]
    out["title"] = title_key(records["title"])
    out["title_info"] = title_information(out["title"])
    out["title_count"] = out.groupby("title", dropna=True)["record_id"].transform("size")
    out["abstract"] = fold(strip_chrome(records["abstract"]))
    out = out.join(author_keys(records["authors_norm"]))
    out["year"] = year_int(records["year"])
    out["journal"] = journal_key(records["journal"])
    out["doi"] = doi_key(records["doi"])
    out["volume"] = number_key(records["volume"])
    out["issue"] = number_key(records["issue"])
    out["page"] = first_page(records["pages"])
    return out
