"""Exports of the merged corpus in the formats reference managers and bibliometric tools read.

``EXPORTERS`` maps each format name (the ``--format`` value) to its writer and file name;
every writer takes the corpus rows and returns text, the same text for the same corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from dedupe.core.errors import InputError
from dedupe.core.records import LIST_SEP

if TYPE_CHECKING:  # the functions import what they use: `dedupe --help` reads EXPORTERS
    import pandas as pd


@dataclass(frozen=True)
class Exporter:
    """One export format: its writer (``module:function``, imported on first use, so that
    commands exporting nothing never load bibtexparser or rispy) and the file it writes."""

    writer: str
    filename: str
    description: str

    def write(self, rows: list[dict]) -> str:
        """The corpus rows as this format's text."""
        module, name = self.writer.split(":")
        return getattr(import_module(module), name)(rows)


EXPORTERS: dict[str, Exporter] = {
    "ris": Exporter("dedupe.export.ris:to_ris", "corpus.ris", "RIS (EndNote, Zotero, Mendeley)"),
    "bibtex": Exporter(
        "dedupe.export.bibtex:to_bibtex", "corpus.bib", "BibTeX (LaTeX, JabRef, Zotero)"
    ),
    "csl-json": Exporter(
        "dedupe.export.csl_json:to_csl_json", "corpus.json", "CSL-JSON (Zotero, pandoc, citeproc)"
    ),
    "wos": Exporter(
        "dedupe.export.wos:to_wos",
        "corpus.wos.txt",
        "Web of Science tagged (bibliometrix, VOSviewer)",
    ),
}


def export_text(corpus: pd.DataFrame, fmt: str) -> str:
    """The corpus as text in format ``fmt`` (a key of ``EXPORTERS``)."""
    from dedupe.export.fields import corpus_rows

    return EXPORTERS[fmt].write(corpus_rows(corpus))


def write_exports(corpus: pd.DataFrame, formats: list[str], out_dir: Path) -> list[Path]:
    """Write the corpus in each format into ``out_dir``; the paths written, in order."""
    from dedupe.export.fields import corpus_rows

    rows = corpus_rows(corpus)
    paths = []
    for fmt in dict.fromkeys(formats):
        path = out_dir / EXPORTERS[fmt].filename
        path.write_text(EXPORTERS[fmt].write(rows), encoding="utf-8", newline="\n")
        paths.append(path)
    return paths


__all__ = ["EXPORTERS", "Exporter", "export_text", "read_corpus", "write_exports"]


CORPUS_COLUMNS = ("cluster_id", "title", "authors_norm", "merged_ids")
LIST_CELLS = ("authors", "authors_norm", "merged_ids", "sources", "listed_by")
"""Columns a corpus.csv holds as lists written "; "-joined: read back as lists."""


def read_corpus(path: Path) -> pd.DataFrame:
    """A corpus.csv written by ``dedupe run`` or ``match``; InputError naming what is wrong."""
    import pandas as pd

    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError(
            f"{path}: no such file; run 'dedupe run' first or name its corpus.csv."
        ) from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        at = re.search(r"\bline (\d+)", first)
        raise InputError(
            f"{path}:{at.group(1) if at else 1}: cannot read as CSV ({first}); "
            "pass the corpus.csv that 'dedupe run' or 'dedupe match' wrote."
        ) from None
    missing = [c for c in CORPUS_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            f"{path}:1: not a dedupe corpus (no {', '.join(missing)} column); pass the "
            "corpus.csv that 'dedupe run' or 'dedupe match' wrote."
        )
    for c in LIST_CELLS:  # the file's cells, as our CSV writer joined them
        if c in frame.columns:
            frame[c] = [[v for v in cell.split(LIST_SEP) if v] or None for cell in frame[c]]
    return frame
