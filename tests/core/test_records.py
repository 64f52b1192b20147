"""Record ids: file stem plus a stored content hash, never parsed back out of the id."""

from pathlib import PurePath

from conftest import SEEDS

from dedupe.core.records import content_hash, make_record_id
from dedupe.parsing.files import parse_paths


def test_id_is_stem_and_content_hash_deduplicated():
    digest = content_hash({"role": "main", "title": "A paper"})
    taken: dict[str, int] = {}
    assert make_record_id(PurePath("seeds/one.v2.csv").stem, digest, taken) == f"one.v2#{digest}"
    assert make_record_id(PurePath("other/one.v2.csv").stem, digest, taken) == f"one.v2#{digest}-2"


def test_content_hash_ignores_file_and_line():
    rec = {"role": "main", "title": "A paper", "source_file": "a.txt", "source_line": 3}
    assert content_hash(rec) == content_hash({**rec, "source_file": "b.txt", "source_line": 9})
    assert content_hash(rec) != content_hash({**rec, "title": "Another paper"})


def test_parsed_records_store_the_hash_of_their_id():
    records = parse_paths([SEEDS]).records
    assert records["content_hash"].notna().all()
    digest = records["record_id"].str.extract(r"#([0-9a-f]+)")[0]
    assert (digest == records["content_hash"]).all()
