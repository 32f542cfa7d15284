import codecs
import json
import random

import pandas as pd
import pytest

from pipeline.cli import load_params
from pipeline.constants import DEFAULT_PARAMS
from pipeline.decode import Undecodable, clean_text, decode_bytes
from pipeline.ingest import ingest, sanitize_id

ARABIC = "وقال المتحدث باسم وزارة الدفاع العراقية إن القوات الأمنية أحبطت هجوماً على قاعدة عين الأسد."
ENGLISH = "The Pentagon said on Tuesday that about 2,500 U.S. troops remain in Iraq under the coalition mission."


@pytest.fixture(scope="module")
def ingest_params():
    return load_params(DEFAULT_PARAMS)["ingest"]


def docs_of(input_dir, ingest_params):
    documents, dropped = ingest(input_dir, ingest_params)
    return documents.set_index("doc_id"), dropped


@pytest.mark.parametrize(
    "encoded, encoding",
    [
        (ARABIC.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + ARABIC.encode("utf-8"), "utf-8-sig"),
        (ARABIC.encode("utf-16"), "utf-16"),  # with BOM
        (ARABIC.encode("utf-16-le"), "utf-16"),  # without BOM
        (ARABIC.encode("utf-16-be"), "utf-16"),
        (ARABIC.encode("cp1256"), "windows-1256"),
    ],
)
def test_encodings_decode_to_the_same_arabic(encoded, encoding):
    text, used = decode_bytes(encoded)
    assert text.lstrip("\ufeff") == ARABIC
    assert used == encoding


def test_random_bytes_are_undecodable():
    with pytest.raises(Undecodable):
        decode_bytes(random.Random(3).randbytes(2048))


def test_clean_text_removes_invisible_controls_and_keeps_thin_spaces():
    raw = "Le\u200b bilan\u200f : 2\u202f500 soldats\r\nLigne\u00a0deux\x00"
    assert clean_text(raw) == "Le bilan : 2\u202f500 soldats\nLigne deux"


@pytest.mark.parametrize(
    "raw, clean",
    [("en_01 report", "en_01_report"), ("../../etc/passwd", "etc_passwd"), ("CON", "_CON"), ("nul.txt", "_nul.txt"),
     ("-rf", "rf"), ("a/b\\c", "a_b_c"), ("تقرير بغداد", "تقرير_بغداد"), ("", "doc")],
)
def test_sanitize_id(raw, clean):
    assert sanitize_id(raw) == clean


def test_every_format_and_bad_input_gets_a_row(input_dir, ingest_params):
    (input_dir / "a.txt").write_text(ENGLISH, encoding="utf-8")
    (input_dir / "b.html").write_text(
        "<html><head><title>Strike</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>Strike</h1><p>{ENGLISH}</p><p>{ENGLISH.replace('Tuesday', 'Monday')}</p></article>"
        "<footer>All rights reserved</footer></body></html>",
        encoding="utf-8",
    )
    records = [{"id": "r1", "text": ARABIC, "title": "t", "published": "2024-01-15"}, {"id": "r2", "content": ENGLISH}]
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    (input_dir / "c.jsonl").write_text(lines[0] + "\n{broken\n" + lines[1] + "\n", encoding="utf-8")
    (input_dir / "d.csv").write_text(f'id,text,url\nc1,"{ENGLISH}",https://example.org/1\n', encoding="utf-8")
    (input_dir / "e.json").write_text(json.dumps([{"id": "j1", "text": ARABIC}], ensure_ascii=False), encoding="utf-8")
    (input_dir / "empty.txt").write_bytes(b"")
    (input_dir / "binary.txt").write_bytes(random.Random(7).randbytes(4096))
    (input_dir / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (input_dir / "old.txt").write_bytes(ARABIC.encode("cp1256"))
    docs, _ = docs_of(input_dir, ingest_params)
    assert docs.loc["a", "status"] == "ok" and docs.loc["a", "text"] == ENGLISH
    assert docs.loc["b", "format"] == "html" and "2,500 U.S. troops" in docs.loc["b", "text"] and "Home" not in docs.loc["b", "text"]
    assert docs.loc["r1", "text"] == ARABIC and docs.loc["r1", "published"] == "2024-01-15"
    assert docs.loc["r2", "text"] == ENGLISH
    assert docs.loc["line_2", "status"] == "error" and "malformed JSON" in docs.loc["line_2", "reason"]
    assert docs.loc["c1", "url"] == "https://example.org/1"
    assert docs.loc["j1", "status"] == "ok"
    assert docs.loc["empty", "status"] == "empty"
    assert docs.loc["binary", "status"] == "undecodable"
    assert docs.loc["photo", "status"] == "unsupported"
    assert docs.loc["old", "text"] == ARABIC and docs.loc["old", "encoding"] == "windows-1256"
    assert len(docs) == 11  # every file and record, the broken line included


def test_doc_id_collision_is_an_error_row_not_an_overwrite(input_dir, ingest_params):
    (input_dir / "story.txt").write_text(ENGLISH, encoding="utf-8")
    sub = input_dir / "sub"
    sub.mkdir()
    (sub / "story.txt").write_text(ARABIC, encoding="utf-8")
    docs, _ = docs_of(input_dir, ingest_params)
    assert docs.loc["story", "text"] == ENGLISH
    other = docs.drop(index="story")
    assert len(other) == 1
    assert other.iloc[0]["status"] == "duplicate_id" and "already used" in other.iloc[0]["reason"]


def test_near_duplicate_gets_duplicate_of(input_dir, ingest_params):
    body = " ".join(f"Sentence {i} about the deployment of troops to the region, officials said." for i in range(30))
    (input_dir / "outlet_a.txt").write_text("Headline A\n" + body, encoding="utf-8")
    (input_dir / "outlet_b.txt").write_text("A different headline\n" + body, encoding="utf-8")
    (input_dir / "other.txt").write_text(ENGLISH, encoding="utf-8")
    docs, _ = docs_of(input_dir, ingest_params)
    assert docs.loc["outlet_b", "duplicate_of"] == "outlet_a"
    assert pd.isna(docs.loc["outlet_a", "duplicate_of"]) and pd.isna(docs.loc["other", "duplicate_of"])


def test_boilerplate_is_dropped_and_recorded(input_dir, ingest_params):
    text = "\n".join([
        "Home | World | Politics",
        "Iraq says coalition talks will resume",
        "Iraq says coalition talks will resume",
        ENGLISH,
        "Share on Facebook",
        "Read the full statement Opens in a new tab",
        "Read also",
        "Militia leader killed in Baghdad strike",
        "Pentagon denies new deployment",
        "",
        "اقرأ أيضاً",
        "رئيس البرلمان يدعو الحكومة لتنفيذ القرار",
        "",
        ARABIC,
    ])
    (input_dir / "page.txt").write_text(text, encoding="utf-8")
    docs, dropped = docs_of(input_dir, ingest_params)
    clean = docs.loc["page", "text"]
    assert ENGLISH in clean and ARABIC in clean
    assert clean.count("Iraq says coalition talks will resume") == 1
    assert "Read the full statement" in clean and "Opens in a new tab" not in clean
    for gone in ("Home | World", "Share on Facebook", "Militia leader killed", "Pentagon denies", "رئيس البرلمان", "اقرأ أيضاً"):
        assert gone not in clean
    assert set(dropped["rule"]) == {"navigation", "repeated_line", "link_tail", "link_list"}


def test_truncation_is_flagged(input_dir, ingest_params):
    (input_dir / "long.txt").write_text(ENGLISH * 10, encoding="utf-8")
    docs, _ = docs_of(input_dir, {**ingest_params, "max_chars": 100})
    assert docs.loc["long", "truncated"] and docs.loc["long", "n_chars"] == 100 and "truncated" in docs.loc["long", "reason"]


def test_symlink_is_reported_not_followed(input_dir, ingest_params, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("outside the input folder", encoding="utf-8")
    (input_dir / "link.txt").symlink_to(secret)
    docs, _ = docs_of(input_dir, ingest_params)
    assert docs.loc["link", "status"] == "unsupported" and "symbolic link" in docs.loc["link", "reason"]
    assert "outside" not in docs.loc["link", "text"]


def test_missing_input_folder_is_a_clear_error(tmp_path, ingest_params):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        ingest(tmp_path / "nope", ingest_params)
