"""Reading every encoding a corpus arrives in: BOMs, strict UTF-8, detected code pages."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from conftest import FIXTURES, SEEDS

from dedupe.core.errors import InputError
from dedupe.parsing.decode import check_encoding, read_text
from dedupe.parsing.files import parse_paths

SOURCES = sorted(SEEDS.iterdir()) + sorted((FIXTURES / "parse").iterdir())
SOURCES += [FIXTURES / "encoding" / "european_names.ris"]
ENCODINGS = ["gb18030", "utf-16", "cp1252"]
CASES = [(p, e) for p in SOURCES for e in ENCODINGS]


def _records(path: Path, **kw):
    result = parse_paths([path], **kw)
    assert result.errors == []
    return result, result.records.drop(columns="source_file")


@pytest.mark.parametrize("src,encoding", CASES, ids=[f"{p.name}-{e}" for p, e in CASES])
def test_reencoded_file_parses_to_the_utf8_records(tmp_path, src, encoding):
    text = src.read_text(encoding="utf-8")
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        pytest.skip(f"{src.name} holds characters {encoding} cannot represent")
    if data.isascii():
        pytest.skip(f"{src.name} is ASCII: every encoding reads it alike")
    copy = tmp_path / src.name
    copy.write_bytes(data)
    _, expected = _records(src)
    got_result, got = _records(copy)
    assert got_result.encodings[str(copy)][0] == encoding
    assert got.to_dict("records") == expected.to_dict("records")
    assert len(got) > 0


def test_encoding_and_confidence_are_reported(tmp_path):
    path = tmp_path / "cn.txt"
    path.write_bytes((SEEDS / "002_6e32001031cb5a5e.txt").read_text("utf-8").encode("gb18030"))
    result = parse_paths([path])
    enc, conf = result.encodings[str(path)]
    assert enc == "gb18030" and conf >= 0.8
    assert result.warnings == []


def test_low_confidence_guess_warns_naming_file_and_option(tmp_path):
    path = tmp_path / "short.ris"
    path.write_bytes("TY  - JOUR\nTI  - Caf\u00e9 \u00d8g\u00e5rd\nER  - \n".encode("cp1252"))
    result = parse_paths([path])
    assert result.errors == []
    (warning,) = result.warnings
    assert str(path) in warning and "--encoding" in warning


@pytest.mark.parametrize(
    "bom,encoding",
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
    ids=["utf-8-sig", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"],
)
def test_byte_order_mark_decides(tmp_path, bom, encoding):
    path = tmp_path / "bom.txt"
    path.write_bytes(bom + "Ti\u00eau \u0111\u1ec1 \u4e2d\u6587\r\n".encode(encoding))
    decoded = read_text(path)
    assert decoded.text == "Ti\u00eau \u0111\u1ec1 \u4e2d\u6587\n"
    assert decoded.how == "bom" and decoded.confidence == 1.0


def test_utf16_with_bom_and_given_encoding_is_read(tmp_path):
    path = tmp_path / "excel.txt"
    path.write_bytes("title\tyear\nPeer support\t2020\n".encode("utf-16"))
    assert read_text(path, "utf-16").text.startswith("title\tyear")
    assert read_text(path).text.startswith("title\tyear")


def test_unknown_encoding_is_one_usage_error(tmp_path):
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "b.txt").write_text("y", encoding="utf-8")
    with pytest.raises(InputError, match=r"--encoding 'klingon': unknown encoding"):
        parse_paths([tmp_path], encoding="klingon")
    assert check_encoding("UTF8") == "utf-8"


def test_binary_file_is_rejected_after_decoding(tmp_path):
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(InputError, match=r"image.png:\d+: not a text file"):
        read_text(path)


def test_wrong_given_encoding_names_line(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"ok\n" + "\u4e2d".encode("gb18030"))
    with pytest.raises(InputError, match=r"a.txt:2: cannot decode as utf-8"):
        read_text(path, "utf-8")


def test_cli_unknown_encoding_is_one_line_exit_2(tmp_path):
    from click.testing import CliRunner

    from dedupe.cli import main

    for name in ("a.ris", "b.ris"):
        (tmp_path / name).write_text("TY  - JOUR\nTI  - x\nER  - \n", encoding="utf-8")
    res = CliRunner().invoke(
        main, ["parse", str(tmp_path), "--encoding", "klingon", "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert lines == [
        "Error: --encoding 'klingon': unknown encoding; pass a codec name such as utf-8, "
        "utf-16, gb18030, big5, shift_jis, cp1252 or latin-1."
    ]


def test_cli_warns_on_a_doubtful_guess(tmp_path):
    from click.testing import CliRunner

    from dedupe.cli import main

    path = tmp_path / "short.ris"
    path.write_bytes("TY  - JOUR\nTI  - Caf\u00e9 \u00d8g\u00e5rd\nER  - \n".encode("cp1252"))
    res = CliRunner().invoke(main, ["parse", str(path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0
    assert f"Warning: {path}: encoding guessed as cp1252" in res.output
