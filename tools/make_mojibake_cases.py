"""Write the mojibake case files (tests/fixtures/mojibake/*.json) the benchmark and tests read.

Usage: python tools/make_mojibake_cases.py [FTFY_TEST_CASES_DIR]

Positives are real multilingual names, titles, places and organisations (Faker's locale data)
encoded one way and decoded another, one file per codec family. Two splits that share no
locale and no Faker provider:

- ``dev``: names and sentences of the locales in ``DEV``; the detectors were tuned on these.
- ``holdout``: cities, streets, companies and jobs of the locales in ``HOLDOUT``; generated
  but not looked at while tuning, so the benchmark shows how the detectors generalise.

With FTFY_TEST_CASES_DIR (the ``tests/test-cases`` folder of ftfy's repository) the cases of
ftfy's own test suite are added as split ``ftfy`` (see tests/fixtures/mojibake/README.md).
Negatives (``negatives.json``) are the unbroken texts of both splits, ftfy's negative cases
and hand-written texts that merely contain "Ã" or "鈥" correctly.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import ftfy.bad_codecs  # noqa: F401  registers the sloppy-windows-* codecs
from faker import Faker

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "mojibake"
PER_SPLIT = 120  # positives per family and split
DEV = "de_DE fr_FR sv_SE da_DK es_ES cs_CZ pl_PL ru_RU el_GR zh_CN ja_JP vi_VN he_IL en_US"
HOLDOUT = (
    "no_NO fi_FI pt_PT it_IT hu_HU sk_SK hr_HR sl_SI ro_RO tr_TR uk_UA bg_BG lt_LT lv_LV "
    "is_IS et_EE zh_TW ko_KR ar_AA fa_IR de_AT fr_CA en_GB"
)
# (family, how the text was written, how it was read); a pair of pairs is a double break.
FAMILIES: dict[str, list] = {
    "cp1252": [("utf-8", "sloppy-windows-1252"), ("utf-8", "latin-1")],
    "gbk": [("utf-8", "gbk"), ("utf-8", "gb18030")],
    "mac_roman": [("utf-8", "mac_roman")],
    "cp1251": [("utf-8", "sloppy-windows-1251")],
    "cp1250": [("utf-8", "sloppy-windows-1250"), ("utf-8", "iso-8859-2")],
    "cp437": [("utf-8", "cp437"), ("utf-8", "cp850")],
    "c1_controls": [("windows-1252", "latin-1")],
    "double": [
        (("utf-8", "sloppy-windows-1252"), ("utf-8", "sloppy-windows-1252")),
        (("utf-8", "latin-1"), ("utf-8", "sloppy-windows-1252")),
        (("utf-8", "sloppy-windows-1251"), ("utf-8", "sloppy-windows-1251")),
        (("utf-8", "mac_roman"), ("utf-8", "mac_roman")),
    ],
}
# ftfy test labels -> family (first match wins); cases matching none are "other".
FTFY_FAMILIES = [
    ("twice", "double"),
    ("three times", "double"),
    ("Three layers", "double"),
    ("MacRoman", "mac_roman"),
    ("Windows-1251", "cp1251"),
    ("Windows-1250", "cp1250"),
    ("ISO-8859-2", "cp1250"),
    ("437", "cp437"),
    ("C1", "c1_controls"),
    ("Latin-1 / Windows-1252 mixup in German", "c1_controls"),
    ("Windows-1252", "cp1252"),
    ("Latin-1", "cp1252"),
    ("Messy language names", "cp1252"),
    ("Synthetic: fix text with backslashes", "cp1252"),
    ("Synthetic: curly quotes", "cp1252"),
]
# Real text that merely contains "Ã" or "鈥" (or other mojibake-looking letters) correctly.
MERELY = [
    "SÃO PAULO: ESTUDO DE COORTE",
    "JOÃO PESSOA, PARAÍBA",
    "Conceição, Ãngela",
    "鈥字的读音与字义研究",
    "古代青铜器鈥的考释",
    "ÉCOLE NORMALE SUPÉRIEURE – ANNÉE 2020",
    "Ångström, Anders; Øresund, Ærø",
    "Ελληνικά και Ρωσικά: Здоровье",
    "Tiếng Việt và “ngôn ngữ”",
]


def _texts(locales: str, providers: list[str], seed: int) -> list[str]:
    """Non-ASCII texts from Faker ``providers`` of ``locales``, some in curly quotes."""
    rng = random.Random(seed)
    out: list[str] = []
    for loc in locales.split():
        fake = Faker(loc)
        fake.seed_instance(seed)
        for _ in range(30):
            value = str(getattr(fake, rng.choice(providers))()).strip()
            roll = rng.random()
            if roll < 0.2:
                value = f"“{value}” in practice"
            elif roll < 0.3:
                value = f"{value.split()[0]}’s – {value}"
            out.append(value)
    return sorted({t for t in out if not t.isascii()})


def _break(text: str, how) -> str | None:
    """``text`` written in one encoding and read in another (twice for a pair of pairs)."""
    if isinstance(how[0], tuple):
        once = _break(text, how[0])
        return _break(once, how[1]) if once else None
    wrote, read = how
    try:
        data = text.encode(wrote)
    except UnicodeEncodeError:
        return None
    broken = data.decode(read, errors="replace")
    return broken if broken != text else None


def _codec_name(how) -> str:
    if isinstance(how[0], tuple):
        return " then ".join(_codec_name(h) for h in how)
    return f"{how[0]} read as {how[1]}"


def generate(split: str, texts: list[str], seed: int) -> dict[str, list[dict]]:
    """Up to ``PER_SPLIT`` broken cases per family from ``texts``."""
    rng = random.Random(seed)
    cases: dict[str, list[dict]] = {}
    for family, ways in FAMILIES.items():
        found = []
        for text in rng.sample(texts, len(texts)):
            how = rng.choice(ways)
            broken = _break(text, how)
            if broken and (family != "gbk" or broken.count("\ufffd") <= 2):
                found.append(
                    {"text": broken, "fixed": text, "codecs": _codec_name(how), "split": split}
                )
            if len(found) == PER_SPLIT:
                break
        cases[family] = found
    return cases


def ftfy_cases(folder: Path) -> tuple[dict[str, list[dict]], list[dict]]:
    """ftfy's test cases as (positives by family, negatives)."""
    pos: dict[str, list[dict]] = {}
    neg: list[dict] = []
    for name in ("in-the-wild", "synthetic", "language-names", "negative"):
        for case in json.loads((folder / f"{name}.json").read_text(encoding="utf-8")):
            if case.get("expect") != "pass":
                continue
            text, fixed = case["original"], case.get("fixed-encoding", case["fixed"])
            label = case["label"]
            source = f"ftfy:{name}: {label}"
            if text == fixed:
                neg.append({"text": text, "source": source})
                continue
            family = next((f for key, f in FTFY_FAMILIES if key in label), "other")
            pos.setdefault(family, []).append(
                {"text": text, "fixed": fixed, "codecs": label, "split": "ftfy"}
            )
    return pos, neg


def main() -> None:
    dev = _texts(DEV, ["name", "sentence", "name"], seed=1)
    hold = _texts(HOLDOUT, ["city", "street_name", "company", "job"], seed=2)
    families: dict[str, list[dict]] = {f: [] for f in FAMILIES}
    for split, texts, seed in (("dev", dev, 3), ("holdout", hold, 4)):
        for family, cases in generate(split, texts, seed).items():
            families[family].extend(cases)
    negatives = [
        {"text": t, "source": f"faker:{split}"}
        for split, ts in (("dev", dev), ("holdout", hold))
        for t in ts
    ]
    negatives += [{"text": t, "source": "hand: merely contains Ã or 鈥"} for t in MERELY]
    if len(sys.argv) > 1:
        pos, neg = ftfy_cases(Path(sys.argv[1]))
        for family, cases in pos.items():
            families.setdefault(family, []).extend(cases)
        negatives += neg
    OUT.mkdir(parents=True, exist_ok=True)
    for family, cases in families.items():
        _write(OUT / f"{family}.json", cases)
    _write(OUT / "negatives.json", negatives)
    print({f: len(c) for f, c in families.items()}, "negatives:", len(negatives))


def _write(path: Path, cases: list[dict]) -> None:
    path.write_text(json.dumps(cases, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
