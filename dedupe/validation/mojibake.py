"""Mojibake: text decoded with the wrong charset, diagnosed with the codecs and the repair.

Three detectors, tried in order on the few values the vectorised hint pattern selects:

1. ftfy (``badness.is_bad`` then ``fix_and_explain`` restricted to encoding fixes): UTF-8 read
   as Latin-1/Windows-1252, Windows-1250/-1251/-1253/-1254/-1257, ISO-8859-2, Mac Roman or
   cp437, C1 controls standing for Windows-1252 punctuation, text broken more than once.
2. UTF-8 byte sequences as a single-byte code page shows them (ftfy's code pages other than
   Latin-1/Windows-1252/-1254, plus cp850), for what ftfy's badness judges clean: all-Cyrillic
   ``Р—РґРѕСЂРѕРІСЊРµ``, Central European ``KrakĂłw``, cp437 ``R├╢hrdanz``. Every repaired
   character must be ``plausible`` and of the script of the letters around it; words in
   capitals do not count; one sequence suffices only where no real word has it (a capital
   inside a lower-case word, a symbol between letters, three characters for one).
3. UTF-8 read as GBK/GB18030, which ftfy does not know: runs of non-ASCII characters whose
   GB18030 bytes are UTF-8 holding fewer CJK characters, including runs with U+FFFD where the
   reader dropped a byte (the byte is guessed, closing quotes first: ``Caregivers鈥� burden``
   is "Caregivers’ burden"), and garbled interface labels (no repair).
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import ftfy
import ftfy.bad_codecs  # noqa: F401  registers the sloppy-windows-* codecs
import ftfy.badness
import regex

from dedupe.core.patterns import COMPILED, SCRIPT_CLASSES

# Single-byte code pages a UTF-8 text is misread as, with the names findings use.
CODEPAGES = {
    "sloppy-windows-1252": "Windows-1252",
    "latin-1": "Latin-1",
    "sloppy-windows-1251": "Windows-1251",
    "sloppy-windows-1250": "Windows-1250",
    "iso-8859-2": "ISO-8859-2",
    "macroman": "Mac Roman",
    "cp437": "cp437",
    "cp850": "cp850",
    "sloppy-windows-1253": "Windows-1253",
    "sloppy-windows-1254": "Windows-1254",
    "sloppy-windows-1257": "Windows-1257",
}
CODEC_NAMES = {**CODEPAGES, "windows-1252": "Windows-1252", "utf-8": "UTF-8"}
ENCODING_ONLY = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=False,
    remove_control_chars=False,
    normalization=None,
)
# What a repaired character must be: in a block real text uses (no archaic, modifier or
# private characters); checked only for the repairs ftfy did not make itself.
COMMON = (
    (0x00A0, 0x017E),  # Latin-1 Supplement, Latin Extended-A
    (0x01A0, 0x01B0),  # Vietnamese horned letters
    (0x01CD, 0x01DC),  # pinyin tone letters
    (0x0218, 0x021B),  # Romanian comma-below letters
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x045F),  # Cyrillic
    (0x0490, 0x04FF),
    (0x05D0, 0x05EA),  # Hebrew
    (0x0600, 0x06FF),  # Arabic
    (0x0900, 0x097F),  # Devanagari
    (0x0E00, 0x0E7F),  # Thai
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese)
    (0x2010, 0x2027),  # dashes, quotes, bullets, ellipsis
    (0x2030, 0x205E),
    (0x20AC, 0x20AC),  # euro
    (0x2122, 0x2122),  # trade mark
    (0x3000, 0x30FF),  # CJK punctuation, kana
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xAC00, 0xD7A3),  # Hangul syllables
    (0xFF01, 0xFF5E),  # full-width forms
    (0x1F300, 0x1FAFF),  # emoji
)
# ftfy's own domain: when its badness finds these clean, they are left alone.
FTFY_TRUSTED = {"sloppy-windows-1252", "latin-1", "sloppy-windows-1254"}
_GUESS_ORDER = "’”“–—…‘•"
_CJK = regex.compile(f"[{SCRIPT_CLASSES['cjk']}]")
_GBK_RUN = re.compile(r"[^\x00-\x7f]+")
_WORD = re.compile(r"\S+")
_SYMBOL_IN_WORD = regex.compile(r"(?<=\p{L})[^\p{L}\p{N}\-'’./&](?=\p{L})")
"""A character that is neither a letter, a digit nor one that joins words (hyphen,
apostrophe, full stop, slash, ampersand), between two letters."""
_MAX_LOST = 6
"""More U+FFFD than this in one value: no lost bytes are guessed (a U+FFFD run is no repair)."""


@dataclass(frozen=True)
class Diagnosis:
    """What went wrong with a text: the codecs involved and the repair (None if lost)."""

    codecs: str
    fixed: str | None

    @property
    def message(self) -> str:
        """The anomaly message: the codec pair and the repair."""
        head = f"mojibake: {self.codecs}"
        return f"{head}; repair: {self.fixed!r}" if self.fixed else f"{head}; cannot be repaired"


def _bytes_of(codec: str, lo: int, hi: int) -> str:
    return re.escape(bytes(range(lo, hi)).decode(codec, errors="ignore"))


@functools.cache
def _sequence_re(codec: str) -> re.Pattern:
    """UTF-8 multi-byte sequences as ``codec`` shows them (lead char, continuation chars)."""
    cont = f"[{_bytes_of(codec, 0x80, 0xC0)}]"
    two, three, four = (
        _bytes_of(codec, 0xC2, 0xE0),
        _bytes_of(codec, 0xE0, 0xF0),
        _bytes_of(codec, 0xF0, 0xF5),
    )
    return re.compile(f"[{four}]{cont}{{3}}|[{three}]{cont}{{2}}|[{two}]{cont}")


def _single_byte_hint(esc: Callable[[str], str]) -> str:
    """A lead and a continuation character of any code page, ftfy's lossy and no-break-space
    forms, or a C1 control: where detectors 1 and 2 can find anything. ``esc`` writes a
    class body (RE2 and Python spell escapes differently)."""
    leads = "".join(sorted({c for cp in CODEPAGES for c in _raw(cp, 0xC2, 0xF5)}))
    conts = "".join(sorted({c for cp in CODEPAGES for c in _raw(cp, 0x80, 0xC0)}))
    c1 = "".join(map(chr, range(0x80, 0xA0)))
    lossy = f"[{esc(chr(0xC2) + chr(0xC3))}] |[{esc(leads)}]{esc(chr(0xFFFD))}"  # ftfy's a0, lossy
    return f"[{esc(leads)}][{esc(conts)}]|{lossy}|[{esc(c1)}]"


def _raw(codec: str, lo: int, hi: int) -> str:
    return bytes(range(lo, hi)).decode(codec, errors="ignore")


def _re2_class(chars: str) -> str:
    """Characters as a class body both RE2 and Python accept (\\x{...} escapes)."""
    return "".join(f"\\x{{{ord(c):x}}}" for c in chars)


def plausible(ch: str) -> bool:
    """True for a character in a block real text is made of (``COMMON``).

    >>> plausible("é"), plausible("’"), plausible("ſ"), plausible("\u032b")
    (True, True, False, False)
    """
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in COMMON)


@functools.lru_cache(maxsize=65536)
def diagnose(text: str) -> Diagnosis | None:
    """The mojibake in ``text``, or None when it reads as intended."""
    single = SINGLE_BYTE.search(text) is not None
    found = (single and (_by_ftfy(text) or _by_runs(text))) or _by_gbk(text)
    if found is None and COMPILED["gbk_garbled"].search(text):
        return Diagnosis("UTF-8 read as GBK, bytes lost", None)
    return found


def _by_ftfy(text: str) -> Diagnosis | None:
    if not ftfy.badness.is_bad(text):
        return None
    result = ftfy.fix_and_explain(text, ENCODING_ONLY)
    if result.text == text:
        return None
    return Diagnosis(describe(result.explanation or []), result.text)


def describe(plan) -> str:
    """ftfy's plan in words: "UTF-8 read as Windows-1252" (", twice" when it happened twice)."""
    parts, enc = [], ""
    for step, name in plan:
        if step == "encode":
            enc = name
        elif step == "decode" and name.startswith("utf-8"):
            parts.append(f"UTF-8 read as {CODEC_NAMES.get(enc, enc)}")
        elif step == "decode" or name == "fix_c1_controls":
            parts.append("Windows-1252 read as Latin-1 (C1 control characters)")
        elif name == "decode_inconsistent_utf8":
            parts.append("UTF-8 read as Windows-1252 in places")
    if len(parts) > 1 and len(set(parts)) == 1:
        return parts[0] + (", twice" if len(parts) == 2 else f", {len(parts)} times")
    return ", then ".join(parts) or "mojibake"


def _by_runs(text: str, depth: int = 0) -> Diagnosis | None:
    for codec, name in CODEPAGES.items():
        if codec in FTFY_TRUSTED:
            continue
        fixed = _decode_runs(text, codec)
        if fixed is not None:
            again = _by_runs(fixed, depth + 1) if depth < 2 else None
            if again is not None and again.fixed:
                return Diagnosis(f"UTF-8 read as {name}, twice", again.fixed)
            return Diagnosis(f"UTF-8 read as {name}", fixed)
    return None


def _decode_runs(text: str, codec: str) -> str | None:
    """``text`` with every UTF-8 sequence shown in ``codec`` decoded, if that is convincing.

    Convincing: outside all-capital words, one strong sequence (three characters for one, or
    one no real word has) or two others; and every repair ``plausible`` and of the script of
    the letters around it.
    """
    out: list[str] = []
    last, strong, weak = 0, 0, 0
    capitals: tuple[list[int], list[int]] | None = None
    for m in _sequence_re(codec).finditer(text):
        try:
            ch = m.group().encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if not plausible(ch):
            return None
        out += [text[last : m.start()], ch]
        last = m.end()
        if not _fits(text, m.start(), m.end(), ch):
            return None
        capitals = capitals or _capital_words(text)
        if _in_capitals(capitals, m.start()):
            continue
        if len(m.group()) >= 3 or _inside_word(text, m.start(), m.end()):
            strong += 1
        else:
            weak += 1
    return "".join(out) + text[last:] if strong or weak >= 2 else None


def _script(ch: str) -> str:
    """The first word of a character's Unicode name: LATIN, CYRILLIC, HANGUL, CJK …"""
    return unicodedata.name(ch, "?").split()[0]


def _fits(text: str, start: int, end: int, ch: str) -> bool:
    """A repaired letter must be of the script of the letters around it (if those are kept)."""
    if not ch.isalpha():
        return True
    around = [text[start - 1] if start else "", text[end] if end < len(text) else ""]
    return all(_script(c) == _script(ch) for c in around if c.isalpha() and c.isascii())


def _inside_word(text: str, start: int, end: int) -> bool:
    """A sequence no real word has: a capital inside a lower-case word ("KrakĂłw", "RĂŠmy"),
    a symbol inside or starting a word ("R├╢hrdanz", "S√∏rensen", "√Öland"), or letters of
    another script than the ASCII letters beside them ("Wulff-RГ¶rricht", "ГҐland")."""
    seq, prev = text[start:end], text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    symbol = not seq.isalpha() and not any(map(str.isspace, seq))
    if after.isalpha() and symbol and (prev.isalpha() or not seq[0].isalpha()):
        return True
    if prev.islower() and seq[0].isupper():
        return True
    if prev.isalpha() and after.islower() and any(c.isupper() for c in seq):
        return True
    ascii_near = [c for c in (prev, after) if c.isascii() and c.isalpha()]
    return any(c.isalpha() and not c.isascii() for c in seq) and any(
        _script(c) != _script(near) for c in seq if c.isalpha() for near in ascii_near
    )


def _capital_words(text: str) -> tuple[list[int], list[int]]:
    """(starts, ends) of the words of ``text`` written in capitals: no lower-case letter, and
    not two symbols or more between letters. Arabic read as Windows-1251 comes out as capitals
    alternating with the continuation bytes' symbols (``Щ…ШЄШ±Ш¬Щ…``); a real word in
    capitals, even one styled with a symbol (``MÄ£ÄM``), has not two of them."""
    spans = [
        m.span()
        for m in _WORD.finditer(text)
        if not any(map(str.islower, m.group())) and len(_SYMBOL_IN_WORD.findall(m.group())) < 2
    ]
    return [a for a, _ in spans], [b for _, b in spans]


def _in_capitals(capitals: tuple[list[int], list[int]], pos: int) -> bool:
    """True when position ``pos`` lies in one of the ``capitals`` words."""
    starts, ends = capitals
    i = bisect.bisect_right(starts, pos) - 1
    return i >= 0 and pos < ends[i]


def _by_gbk(text: str) -> Diagnosis | None:
    if not _CJK.search(text):
        return None
    guess = text.count("\ufffd") <= _MAX_LOST
    out: list[str] = []
    last, opened = 0, 0
    for m in _GBK_RUN.finditer(text):
        if not guess and "\ufffd" in m.group():
            continue
        kept = text[last : m.start()]
        opened += _balance(kept)
        fixed = _gbk_run(m.group(), opened)
        if fixed is None:
            opened -= _balance(kept)
            continue
        out += [kept, fixed]
        last, opened = m.end(), opened + _balance(fixed)
    if not out:
        return None
    fixed_text = "".join(out) + text[last:]
    lossy = fixed_text.count("\ufffd") < text.count("\ufffd")
    return Diagnosis("UTF-8 read as GBK" + (", lost bytes guessed" if lossy else ""), fixed_text)


def _balance(text: str) -> int:
    """Opening minus closing curly double quotes."""
    return text.count("“") - text.count("”")


def _gbk_run(run: str, opened: int) -> str | None:
    """One run of non-ASCII characters decoded back from GB18030 to UTF-8, or None if real.

    Each U+FFFD stands for one byte the GBK reader dropped; the likeliest bytes are guessed
    (at most two in a run).
    """
    if run.count("\ufffd") > 2:
        return None
    parts = [p.encode("gb18030") for p in run.split("\ufffd")]
    first = _decode_prefix(parts[0], final=len(parts) == 1)
    if first is None:
        return None
    rest = _fill(parts, 1, first[1], opened + _balance(first[0])) if len(parts) > 1 else (0, "")
    if rest is None:
        return None
    out = first[0] + rest[1]
    if not all(plausible(c) or c.isascii() for c in out):
        return None
    if len(_CJK.findall(out)) >= len(run.replace("\ufffd", "")):
        return None
    return out


def _decode_prefix(data: bytes, final: bool) -> tuple[str, bytes] | None:
    """(decoded text, incomplete tail) of UTF-8 ``data``; None when it is not UTF-8."""
    try:
        return data.decode("utf-8"), b""
    except UnicodeDecodeError as exc:
        if final or exc.reason != "unexpected end of data" or exc.end != len(data):
            return None
        return data[: exc.start].decode("utf-8"), data[exc.start :]


def _fill(parts: list[bytes], i: int, pending: bytes, opened: int) -> tuple[int, str] | None:
    """(cost, text) of the cheapest UTF-8 reading of ``parts[i:]``, each after one lost byte
    (``pending``: the incomplete sequence before it)."""
    best: tuple[int, str] | None = None
    for byte in range(0x80, 0xC0) if pending else range(0xC2, 0xF5):
        got = _decode_prefix(pending + bytes([byte]) + parts[i], final=i == len(parts) - 1)
        if got is None:
            continue
        text, tail = got
        cost = _rank(text[0], opened) if text else 0
        if i < len(parts) - 1:
            rest = _fill(parts, i + 1, tail, opened + _balance(text))
            if rest is None:
                continue
            cost, text = cost + rest[0], text + rest[1]
        if best is None or cost < best[0]:
            best = (cost, text)
    return best


def _rank(ch: str, opened: int) -> int:
    """How likely ``ch`` is as a guessed character: closing quotes first, then letters."""
    order = ("”’" if opened > 0 else "’”") + _GUESS_ORDER
    if ch in order:
        return order.index(ch)
    return 20 if plausible(ch) and ch.isalpha() else 99


SINGLE_BYTE = re.compile(_single_byte_hint(lambda chars: "".join(map(re.escape, chars))))
HINT = f"{_single_byte_hint(_re2_class)}|[{SCRIPT_CLASSES['cjk']}]"
"""The preselection, run vectorised over Arrow strings before any per-value detector."""
