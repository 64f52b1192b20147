"""Reading input files as text: byte-order mark, strict UTF-8, then a charset detector.

Order of trust: a byte-order mark (UTF-8, UTF-16, UTF-32) or a given ``--encoding`` decides;
otherwise strict UTF-8; otherwise charset-normalizer chooses among ``CANDIDATES`` (the
code pages the corpus arrives in). Among the detector's near-equal guesses the one whose
text ftfy judges least like mojibake wins, then the one earlier in ``CANDIDATES``. Whether
the result is text (no NUL bytes, few control characters) is judged after decoding, so
UTF-16 is text and a binary file is not.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

import ftfy.badness

from dedupe.core.errors import InputError

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: its BOM starts with UTF-16-LE's
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# The detector's candidates, in order of preference when its guesses tie.
CANDIDATES = (
    "gb18030",
    "cp1252",
    "big5",
    "shift_jis",
    "euc_kr",
    "cp1250",
    "cp1251",
    "mac_roman",
    "latin_1",
)
SINGLE_BYTE = {"cp1252", "cp1250", "cp1251", "mac_roman", "latin_1"}
LOW_CONFIDENCE = 0.8
"""Below this detector confidence a guess is reported as a warning."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
_SAMPLE = 200_000


@dataclass(frozen=True)
class Decoded:
    """A file's text and how it was decoded.

    ``how`` is ``bom``, ``given`` (``--encoding``), ``utf-8`` or ``detected``;
    ``confidence`` is 1.0 except for detected encodings (charset-normalizer's 1 - chaos,
    halved when another candidate reads the bytes as different but equally clean text).
    """

    text: str
    encoding: str
    confidence: float = 1.0
    how: str = "utf-8"

    @property
    def doubtful(self) -> bool:
        """True when the encoding is a guess below ``LOW_CONFIDENCE``."""
        return self.confidence < LOW_CONFIDENCE


def check_encoding(encoding: str | None) -> str | None:
    """The codec name of ``--encoding`` (None stays None); InputError if Python has none.

    >>> check_encoding("GB18030"), check_encoding(None)
    ('gb18030', None)
    """
    if encoding is None:
        return None
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise InputError(
            f"--encoding {encoding!r}: unknown encoding; pass a codec name such as "
            "utf-8, utf-16, gb18030, big5, shift_jis, cp1252 or latin-1."
        ) from None


def read_text(path: Path, encoding: str | None = None) -> Decoded:
    """The decoded text of a file (newlines normalised), or InputError naming it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror or exc}).", path) from None
    if not data.strip():
        raise InputError("file is empty; remove it or add records.", path, 1)
    decoded = _decode(path, data, encoding)
    _check_text(path, decoded)
    text = normalise_newlines(decoded.text)
    return Decoded(text, decoded.encoding, decoded.confidence, decoded.how)


def _decode(path: Path, data: bytes, encoding: str | None) -> Decoded:
    if encoding:
        return Decoded(_strict(path, data, encoding), encoding, 1.0, "given")
    for bom, name in BOMS:
        if data.startswith(bom):
            return Decoded(_strict(path, data, name), name, 1.0, "bom")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", 1.0, "utf-8")
    except UnicodeDecodeError:
        pass
    found = detect(data)
    if found is None:
        raise InputError(
            f"not a text file, or in an encoding none of "
            f"{', '.join(CANDIDATES)} reads; pass the file's real --encoding.",
            path,
            1,
        )
    return found


def _strict(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"cannot decode as {encoding} (byte 0x{data[exc.start]:02x}); "
            "pass the file's real --encoding.",
            path,
            line,
        ) from None


def detect(data: bytes) -> Decoded | None:
    """The likeliest reading of non-UTF-8 bytes among ``CANDIDATES``, or None."""
    from charset_normalizer import from_bytes  # here: UTF-8 inputs never need it

    matches = [m for m in from_bytes(data, cp_isolation=list(CANDIDATES)) if m.encoding]
    if not matches:
        return None
    best_chaos = min(m.chaos for m in matches)
    near = [m for m in matches if m.chaos <= best_chaos + 0.02]
    scored = sorted((*_score(m), *_preferred(m), str(m)) for m in near)
    key, (_, chaos, _, _, _, name, text) = scored[0][:2], scored[0]
    tied = any(s[:2] == key and s[-1] != text for s in scored[1:])
    confidence = round((1.0 - chaos) * (0.5 if tied else 1.0), 3)
    return Decoded(text, name, confidence, "detected")


def _score(match) -> tuple[int, float, int, float]:
    """Sort key: least mojibake, least chaos, CJK code pages before single-byte ones, then
    (among single-byte ones) the reading most coherent with a language."""
    single = match.encoding in SINGLE_BYTE
    coherence = -round(match.coherence, 2) if single else 0.0
    return _badness(str(match)), round(match.chaos, 2), int(single), coherence


def _preferred(match) -> tuple[int, str]:
    """(rank, name) of the earliest candidate that reads the bytes as this match does."""
    names = [match.encoding, *getattr(match, "could_be_from_charset", [])]
    return min((CANDIDATES.index(n), n) for n in names if n in CANDIDATES)


def _badness(text: str) -> int:
    """ftfy's mojibake score of the non-ASCII lines of a decoded text (sampled)."""
    lines = [ln for ln in text.splitlines() if not ln.isascii()]
    return ftfy.badness.badness("\n".join(lines)[:_SAMPLE])


def _check_text(path: Path, decoded: Decoded) -> None:
    """InputError when decoded content is binary: NUL bytes or many control characters."""
    text = decoded.text
    sample = text[:_SAMPLE]
    controls = _CONTROL.findall(sample)
    if "\x00" in sample or len(controls) > max(2, len(sample) // 100):
        first = _CONTROL.search(sample)
        line = text[: first.start() if first else 0].count("\n") + 1
        nul = "\x00" in sample
        hint = " (UTF-16 without a byte-order mark? pass --encoding utf-16-le)" if nul else ""
        raise InputError(
            f"not a text file (binary content after decoding as "
            f"{decoded.encoding}){hint}; pass seed text, RIS, BibTeX, CSV/TSV or JSON Lines files.",
            path,
            line,
        )


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR (old Mac files) become LF, so every parser numbers lines alike.

    >>> normalise_newlines("a\\r\\nb\\rc")
    'a\\nb\\nc'
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")
