"""Errors are data: a path, a line and a message, never a string parsed back."""

import pytest

from dedupe.core.errors import FileError, InputError
from dedupe.parsing.files import parse_paths


def test_file_error_keeps_a_windows_path_whole():
    err = InputError("not a text file.", r"C:\seeds\a.bin", 3).error
    assert err == FileError(r"C:\seeds\a.bin", 3, "not a text file.")
    assert str(err) == r"C:\seeds\a.bin:3: not a text file."


def test_input_error_without_a_file_is_its_message():
    exc = InputError("--map needs SOURCE=FIELD.")
    assert exc.error is None and str(exc) == "--map needs SOURCE=FIELD."


@pytest.mark.parametrize(
    "content,line,start",
    [(b"", 1, "file is empty"), (b"ok\nstill text\n\x00bin", 3, "not a text file")],
    ids=["empty", "nul-on-line-3"],
)
def test_unusable_file_is_collected_as_file_error(tmp_path, content, line, start):
    path = tmp_path / "odd:name.bin"
    path.write_bytes(content)
    (err,) = parse_paths([path]).errors
    assert err.path == str(path) and err.line == line and err.message.startswith(start)
