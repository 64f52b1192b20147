"""Writing outputs safely: staged beside ``--out``, moved into place at the end, CSV-safe.

Every output of a command is first written to a hidden temporary folder beside the output
folder (same file system) and, once all of them are complete, each is renamed over its old
version (``os.replace``, atomic per file). An interrupted or failed run therefore leaves the
previous complete outputs, never a truncated ``records.csv`` beside an old ``report.html``.
Every OS error becomes one :class:`InputError` naming the path (the CLI prints it and exits 2).
The output folder gets a marker file, so it is never read back as input.

CSV cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return) get a leading ``'``, as OWASP advises against CSV injection;
``raw_csv=True`` writes them verbatim for programmatic readers.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

import pandas as pd

from dedupe.core.errors import InputError
from dedupe.parsing.files import OUTPUT_MARKER
from dedupe.reporting.csv_writer import FORMULA_START, write_csv


def formula_mask(values: pd.Series) -> pd.Series:
    """True where a text value starts like a formula."""
    text = values.astype("string")
    return text.str.startswith(FORMULA_START).fillna(False).astype(bool)


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with a ``'`` before every text cell that starts like a formula.

    >>> table = pd.DataFrame({"t": ["=1+1", "ok", "-x"], "n": [1, -2, 3]})
    >>> neutralise_formulas(table)["t"].tolist(), neutralise_formulas(table)["n"].tolist()
    (["'=1+1", 'ok', "'-x"], [1, -2, 3])
    """
    out = frame
    for col in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[col]) or pd.api.types.is_bool_dtype(frame[col]):
            continue
        hit = formula_mask(frame[col])
        if hit.any():
            if out is frame:
                out = frame.copy()
            out[col] = frame[col].astype(object).where(~hit, "'" + frame[col][hit].astype(str))
    return out


def _oserror(exc: OSError, path: Path) -> InputError:
    where = exc.filename or path
    return InputError(
        f"cannot write output ({exc.strerror or exc}); check --out and free space.", where
    )


class StagedOutputs:
    """A set of output files written to a temporary folder and moved into ``out_dir``."""

    def __init__(self, out_dir: Path, raw_csv: bool = False) -> None:
        self.out_dir = Path(out_dir)
        self.raw_csv = raw_csv
        if self.out_dir.exists() and not self.out_dir.is_dir():
            raise InputError("--out is a file, not a folder; name a folder.", self.out_dir)
        try:
            self.out_dir.parent.mkdir(parents=True, exist_ok=True)
            self.staging = Path(
                tempfile.mkdtemp(prefix=f".{self.out_dir.name}.", dir=self.out_dir.parent)
            )
        except OSError as exc:
            raise _oserror(exc, self.out_dir.parent) from None
        self.names: list[str] = []

    def path(self, name: str) -> Path:
        """Where to write output ``name`` now (inside the staging folder)."""
        if name not in self.names:
            self.names.append(name)
        return self.staging / name

    def csv(self, name: str, frame: pd.DataFrame) -> None:
        """Stage a table as UTF-8 CSV (formula cells neutralised unless ``raw_csv``)."""
        # lists (authors, merged ids) joined: only writers join them
        self._guard(name, lambda p: write_csv(frame, p, neutralise=not self.raw_csv))

    def text(self, name: str, text: str) -> None:
        """Stage a text file (UTF-8)."""
        self._guard(name, lambda p: p.write_text(text, encoding="utf-8"))

    def _guard(self, name: str, write) -> None:
        target = self.path(name)
        try:
            write(target)
        except OSError as exc:
            raise _oserror(exc, self.out_dir / name) from None

    def commit(self) -> list[Path]:
        """Move every staged file into ``out_dir``; the final paths, in writing order."""
        done = []
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            (self.out_dir / OUTPUT_MARKER).touch()
            for name in dict.fromkeys([*self.names, *self._extra()]):
                os.replace(self.staging / name, self.out_dir / name)
                done.append(self.out_dir / name)
        except OSError as exc:
            raise _oserror(exc, self.out_dir) from None
        finally:
            self.discard()
        return done

    def _extra(self) -> list[str]:
        """Files written straight into the staging folder by other writers (exports)."""
        return sorted(p.name for p in self.staging.iterdir() if p.is_file())

    def discard(self) -> None:
        """Remove the staging folder and whatever it holds."""
        shutil.rmtree(self.staging, ignore_errors=True)

    def __enter__(self) -> StagedOutputs:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()
