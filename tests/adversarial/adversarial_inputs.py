"""Adversarial inputs, generated on the fly, and helpers to run the pipeline on them in a subprocess.

Each `Case` writes its input into a folder and checks the `documents` rows it produced. Cases in
INGEST_CASES share one ingest-only run; cases in PIPELINE_CASES share one full run (they are
about the later stages). All texts are written for these tests.
"""

from __future__ import annotations

import codecs
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from pipeline.constants import DEFAULT_PARAMS, ROOT
from pipeline.tables import read_table

SAMPLE = ROOT / "data" / "raw"
# Well-formed articles from the sample corpus: their results must not change when bad inputs sit beside them.
NORMAL_FILES = ("en_01_pentagon_air_defense_deployment.txt", "ar_01_tower22_jordan.txt", "fr_01_finul_naqoura.html")
# Generous bounds: a run that needs longer is hanging (the tests never assert on durations).
INGEST_TIMEOUT = 600
PIPELINE_TIMEOUT = 1200
SECRET_MARKER = "ADVERSARIAL-SECRET-7f3a"

EN = "The defence ministry said on Monday that two supply convoys crossed the northern border without incident."
EN2 = "Local officials reported that the road to the river port reopened after a week of repairs and inspections."
AR = "وقالت وزارة الدفاع يوم الاثنين إن قافلتي إمداد عبرتا الحدود الشمالية دون أي حوادث تذكر."
AR2 = "وأضاف مسؤول محلي أن الطريق المؤدي إلى الميناء النهري أعيد فتحه بعد أسبوع من أعمال الصيانة."
FR = "Le ministère a indiqué lundi que deux convois de ravitaillement avaient franchi la frontière nord sans incident."


@dataclass(frozen=True)
class Case:
    """One adversarial input: `make(folder, ctx)` writes it and returns the source paths it creates;
    `check(rows)` asserts on its `documents` rows (at least one row per source path is checked by the tests)."""

    name: str
    make: Callable[[Path, dict], list[str]]
    statuses: tuple[str, ...]
    check: Callable[[pd.DataFrame], None] | None = None
    reason: str | None = None  # a word every row's reason must contain


def rows_of(documents: pd.DataFrame, sources: list[str]) -> pd.DataFrame:
    """The documents rows made from these source files (a record file gives `file#N` rows)."""
    keep = documents["source_path"].map(lambda s: any(s == src or s.startswith(src + "#") for src in sources))
    return documents[keep]


def write_params(path: Path, input_dir: Path, out_dir: Path, **sections: dict) -> Path:
    """A params file for a run on `input_dir` into `out_dir`, with section overrides."""
    params = yaml.safe_load(DEFAULT_PARAMS.read_text(encoding="utf-8"))
    params["paths"].update(input=str(input_dir), out=str(out_dir), reports=str(out_dir))
    for name, values in sections.items():
        params[name] = {**params.get(name, {}), **values}
    path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    return path


def pipeline_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", *args]


def _env() -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}


def run_cli(*args: str, timeout: float) -> subprocess.CompletedProcess:
    """`python -m pipeline ARGS` from the repo root; a hang fails the test through the timeout."""
    return subprocess.run(pipeline_cmd(*args), cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=_env(), stdin=subprocess.DEVNULL)


def start_cli(args: list[str], log: Path) -> subprocess.Popen:
    """Start `python -m pipeline ARGS` in the background, its output going to `log`."""
    with open(log, "wb") as fh:
        return subprocess.Popen(pipeline_cmd(*args), cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=_env())


def wait_all(procs: list[subprocess.Popen], timeout: float) -> list[int]:
    """Exit codes of processes started together; past `timeout` they are killed and TimeoutExpired is raised."""
    deadline = time.monotonic() + timeout
    try:
        return [p.wait(timeout=max(1.0, deadline - time.monotonic())) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()


@dataclass
class Run:
    """A finished pipeline run: exit code, log, output folder and, per case, the sources it wrote."""

    returncode: int
    log: str
    out: Path
    sources: dict[str, list[str]]

    def table(self, name: str) -> pd.DataFrame:
        return read_table(self.out, name)


def run_together(jobs: list[tuple[list[str], Path, dict[str, list[str]]]], workdir: Path, timeout: float) -> list[Run]:
    """Start several runs at once (args, output folder, case sources) and wait for all of them."""
    logs = [workdir / f"run_{i}.log" for i in range(len(jobs))]
    procs = [start_cli(args, log) for (args, _, _), log in zip(jobs, logs)]
    codes = wait_all(procs, timeout)
    return [Run(code, log.read_text(encoding="utf-8", errors="replace"), out, sources) for code, log, (_, out, sources) in zip(codes, logs, jobs)]


def copy_normal(dst: Path) -> list[str]:
    for name in NORMAL_FILES:
        shutil.copy(SAMPLE / name, dst / name)
    return list(NORMAL_FILES)


# ---------------------------------------------------------------- writers


def _bytes(name: str, data: bytes) -> Callable[[Path, dict], list[str]]:
    def make(folder: Path, ctx: dict) -> list[str]:
        (folder / name).write_bytes(data)
        return [name]

    return make


def _text(name: str, text: str) -> Callable[[Path, dict], list[str]]:
    return _bytes(name, text.encode("utf-8"))


def _jsonl(name: str, lines: list[str]) -> Callable[[Path, dict], list[str]]:
    return _text(name, "\n".join(lines) + "\n")


def _record(rid: str, text: str, **extra) -> str:
    return json.dumps({"id": rid, "text": text, **extra}, ensure_ascii=False)


def _big_file(folder: Path, ctx: dict) -> list[str]:
    name = "big_50mb.txt"
    paragraph = (f"Paragraph about logistics number {{}}. {EN2}\n").encode()
    with open(folder / name, "wb") as fh:
        size, i = 0, 0
        while size < 50 * 1024 * 1024:
            chunk = b"".join(paragraph.replace(b"{}", str(i + k).encode()) for k in range(1000))
            fh.write(chunk)
            size += len(chunk)
            i += 1000
    return [name]


def _long_line(folder: Path, ctx: dict) -> list[str]:
    rng = random.Random(11)
    letters = "abcdefghijklmnopqrstuvwxyz"
    (folder / "long_line_2m.txt").write_text("".join(rng.choice(letters) for _ in range(2_000_000)), encoding="ascii")
    return ["long_line_2m.txt"]


def _symlink_file(folder: Path, ctx: dict) -> list[str]:
    os.symlink(ctx["outside"] / "secret.txt", folder / "link_to_secret.txt")
    return ["link_to_secret.txt"]


def _symlink_dir(folder: Path, ctx: dict) -> list[str]:
    os.symlink(ctx["outside"], folder / "link_to_outside_dir")
    return ["link_to_outside_dir"]


def _symlink_loop(folder: Path, ctx: dict) -> list[str]:
    os.symlink(folder, folder / "loop")
    return ["loop"]


def _fifo(folder: Path, ctx: dict) -> list[str]:
    os.mkfifo(folder / "named_pipe.txt")  # reading it would block forever
    return ["named_pipe.txt"]


def _html_remote(folder: Path, ctx: dict) -> list[str]:
    base = ctx["server"]
    page = (
        f'<html><head><meta http-equiv="refresh" content="0; url={base}/refresh">'
        f'<link rel="stylesheet" href="{base}/style.css"><script src="{base}/app.js"></script>'
        f"<title>Convoy report</title></head><body><article><h1>Convoy report</h1><p>{EN}</p>"
        f'<img src="{base}/photo.jpg" alt="convoy"><iframe src="{base}/frame"></iframe>'
        f'<p>{EN2}</p><object data="{base}/object"></object></article></body></html>'
    )
    (folder / "remote_refs.html").write_text(page, encoding="utf-8")
    return ["remote_refs.html"]


def _html_xxe(folder: Path, ctx: dict) -> list[str]:
    secret = ctx["outside"] / "secret.txt"
    page = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<!DOCTYPE html [<!ENTITY file SYSTEM "file://{secret}"><!ENTITY web SYSTEM "{ctx["server"]}/entity">'
        '<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
        f"<html><body><article><p>{EN}</p><p>Entity here: &file; and &web; and &lol2;</p><p>{EN2}</p></article></body></html>"
    )
    (folder / "xxe.html").write_text(page, encoding="utf-8")
    return ["xxe.html"]


def _csv_tricky(folder: Path, ctx: dict) -> list[str]:
    body = (
        'id,title,text\n'
        f'csv_newline,"Two\nlines","{EN}\n{EN2}"\n'
        f'csv_quotes,"He said ""yes""","{FR} Il a dit : ""non"", puis ""peut-être""."\n'
        f'csv_nul,nul\x00title,"{AR}\x00{AR2}"\n'
    )
    (folder / "tricky.csv").write_text(body, encoding="utf-8")
    return ["tricky.csv"]


def _csv_huge_field(folder: Path, ctx: dict) -> list[str]:
    big = " ".join([EN2] * 3000)  # ~330,000 characters: over the csv module's default field limit
    (folder / "huge_field.csv").write_text(f'id,text\ncsv_big,"{big}"\ncsv_after,"{EN}"\n', encoding="utf-8")
    return ["huge_field.csv"]


def _records_none(folder: Path, ctx: dict) -> list[str]:
    (folder / "header_only.csv").write_text("id,title,text\n", encoding="utf-8")
    (folder / "empty_list.json").write_text("[]", encoding="utf-8")
    return ["header_only.csv", "empty_list.json"]


def _names(*names: str) -> Callable[[Path, dict], list[str]]:
    def make(folder: Path, ctx: dict) -> list[str]:
        for i, name in enumerate(names):
            (folder / name).write_text(f"{EN} File {i} of the odd names.", encoding="utf-8")
        return list(names)

    return make


# ---------------------------------------------------------------- checks


def _all(rows: pd.DataFrame, column: str, value: object) -> None:
    assert (rows[column] == value).all(), rows[["source_path", column]]


def _text_is(expected: str) -> Callable[[pd.DataFrame], None]:
    def check(rows: pd.DataFrame) -> None:
        assert list(rows["text"]) == [expected]

    return check


def _no_secret(rows: pd.DataFrame) -> None:
    assert not rows["text"].str.contains(SECRET_MARKER).any()


def _has_both(rows: pd.DataFrame) -> None:
    assert EN in rows.iloc[0]["text"] and EN2 in rows.iloc[0]["text"]


def _xxe_unresolved(rows: pd.DataFrame) -> None:
    _no_secret(rows)
    _has_both(rows)
    assert "lollol" not in rows.iloc[0]["text"]


def _by_id(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.set_index("doc_id")


def _check_broken_jsonl(rows: pd.DataFrame) -> None:
    docs = _by_id(rows)
    assert docs.loc["jl_before", "status"] == "ok" and docs.loc["jl_after", "status"] == "ok"
    assert (rows["status"] == "error").sum() == 2 and rows["reason"].str.contains("malformed JSON").sum() == 2


def _check_huge_numbers(rows: pd.DataFrame) -> None:
    docs = _by_id(rows)
    assert docs.loc["jl_num_ok", "status"] == "ok" and docs.loc["jl_num_ok", "text"] == EN
    assert len(rows) == 4  # every line has a row, however odd its numbers


def _check_nested(rows: pd.DataFrame) -> None:
    docs = _by_id(rows)
    assert docs.loc["jl_nest_ok", "status"] == "ok"
    assert (rows["status"] == "error").sum() == 1


def _check_missing_text(rows: pd.DataFrame) -> None:
    assert (rows["status"] == "error").all() and rows["reason"].str.contains("no text field").all()


def _check_duplicate(rows: pd.DataFrame) -> None:
    assert sorted(rows["status"]) == ["duplicate_id", "ok"]
    first = rows[rows["status"] == "ok"].iloc[0]
    assert first["doc_id"] == "jl_dup" and first["text"] == EN
    assert "already used" in rows[rows["status"] == "duplicate_id"].iloc[0]["reason"]


def _check_csv(rows: pd.DataFrame) -> None:
    docs = _by_id(rows)
    assert docs.loc["csv_newline", "text"] == f"{EN}\n{EN2}"
    assert '"non"' in docs.loc["csv_quotes", "text"] and docs.loc["csv_quotes", "title"] == 'He said "yes"'
    assert "\x00" not in docs.loc["csv_nul", "text"] and AR in docs.loc["csv_nul", "text"]
    _all(rows, "status", "ok")


def _check_csv_huge(rows: pd.DataFrame) -> None:
    docs = _by_id(rows)
    assert docs.loc["csv_big", "status"] == "ok" and docs.loc["csv_after", "text"] == EN


def _check_big(rows: pd.DataFrame) -> None:
    row = rows.iloc[0]
    assert row["truncated"] and row["n_chars"] == 500_000 and "max_chars" in row["reason"]


def _check_mixed(rows: pd.DataFrame) -> None:
    text = rows.iloc[0]["text"]
    assert AR in text and AR2 in text and "\ufffd" not in text


def _check_truncated_utf8(rows: pd.DataFrame) -> None:
    text = rows.iloc[0]["text"]
    assert text.startswith(AR) and AR2[:-2] in text


def _check_doc_ids(rows: pd.DataFrame) -> None:
    for doc_id in rows["doc_id"]:
        assert "/" not in doc_id and "\\" not in doc_id and ".." not in doc_id and doc_id.split(".")[0].upper() not in ("CON", "NUL", "AUX")


def _check_clean_ids(rows: pd.DataFrame) -> None:
    _check_doc_ids(rows)
    _all(rows, "status", "ok")
    assert rows["doc_id"].is_unique


# ---------------------------------------------------------------- the cases

_MIXED = (AR + "\n").encode("utf-8") + (AR2 + "\n").encode("cp1256") + (EN + "\n").encode("utf-8")
_TRUNCATED = (AR + "\n" + AR2).encode("utf-8")[:-1]
_DEEP = "<html><body>" + "<div>" * 10_000 + f"<p>{EN}</p>" + "</div>" * 10_000 + "</body></html>"
_DEEP_JSON = "[" * 100_000 + "]" * 100_000

INGEST_CASES: tuple[Case, ...] = (
    Case("random_bytes", _bytes("random_bytes.txt", random.Random(1).randbytes(64 * 1024)), ("undecodable",), reason="binary"),
    Case("random_bytes_html", _bytes("random_bytes.html", random.Random(2).randbytes(16 * 1024)), ("undecodable",)),
    Case("truncated_utf8", _bytes("truncated_utf8.txt", _TRUNCATED), ("ok",), _check_truncated_utf8),
    Case("mixed_encodings", _bytes("mixed_encodings.txt", _MIXED), ("ok",), _check_mixed),
    Case("utf16_le_no_bom", _bytes("utf16_le.txt", f"{AR}\n{EN}".encode("utf-16-le")), ("ok",), _text_is(f"{AR}\n{EN}")),
    Case("utf16_be_no_bom", _bytes("utf16_be.txt", f"{EN}\n{AR}".encode("utf-16-be")), ("ok",), _text_is(f"{EN}\n{AR}")),
    Case("windows_1256", _bytes("cp1256.txt", f"{AR}\n{AR2}".encode("cp1256")), ("ok",), _text_is(f"{AR}\n{AR2}")),
    Case("nul_bytes", _bytes("nul_bytes.txt", "\x00".join(EN.split(" ")).encode("utf-8")), ("ok",), lambda r: _all(r, "text", EN.replace(" ", ""))),
    Case("bom_then_garbage", _bytes("bom_garbage.txt", codecs.BOM_UTF8 + random.Random(3).randbytes(4096)), ("undecodable",)),
    Case("empty_file", _bytes("empty.txt", b""), ("empty",), reason="empty"),
    Case("invisible_only", _text("invisible.txt", "\u200b\u200f\u202e\ufeff\u2066" * 200 + "\n \t\n"), ("empty",)),
    Case("big_50mb", _big_file, ("ok",), _check_big, reason="max_chars"),
    Case("long_line_2m", _long_line, ("ok",), lambda r: _all(r, "truncated", True), reason="max_chars"),
    Case("html_nested_10000", _text("deep.html", _DEEP), ("ok", "empty")),
    Case("html_unclosed", _text("unclosed.html", f"<html><body><article><p>{EN}<div><span><b><i><p>{EN2}<table><tr><td>"), ("ok",),
         lambda r: _all(r, "text", f"{EN}\n{EN2}")),
    Case("html_script_style_only", _text("script_only.html", "<html><head><style>p{color:red}</style></head><body>"
                                          f"<script>var note = '{EN}';</script><style>.x{{}}</style></body></html>"), ("empty",),
         reason="no main content"),
    Case("html_xxe", _html_xxe, ("ok",), _xxe_unresolved),
    Case("html_remote_refs", _html_remote, ("ok",), _has_both),
    Case("jsonl_broken_line", _jsonl("broken.jsonl", [_record("jl_before", EN), '{"id": "jl_broken", "text": "cut', "{[}",
                                                      _record("jl_after", EN2)]), ("ok", "error"), _check_broken_jsonl),
    Case("jsonl_huge_numbers", _jsonl("numbers.jsonl", [
        '{"id": "jl_num_ok", "text": "' + EN + '", "views": 1e999999}',
        '{"id": ' + "9" * 5000 + ', "text": "' + EN2 + '"}',
        '{"id": "jl_num_big", "text": "' + FR + '", "published": ' + "1" * 5000 + "}",
        '{"id": 1e400, "text": "' + AR + '"}',
    ]), ("ok", "error"), _check_huge_numbers),
    Case("jsonl_deep_nesting", _jsonl("nested.jsonl", [_record("jl_nest_ok", EN), '{"id": "jl_nest", "text": "x", "meta": ' + _DEEP_JSON + "}"]),
         ("ok", "error"), _check_nested),
    Case("json_deep_nesting", _text("nested.json", _DEEP_JSON), ("error",), reason="JSON"),
    Case("jsonl_missing_text", _jsonl("missing_text.jsonl", [json.dumps({"id": "jl_notext", "title": "t"}), json.dumps({"id": "jl_listtext", "text": [EN]}),
                                                             json.dumps({"id": "jl_nulltext", "text": None})]), ("error",), _check_missing_text),
    Case("jsonl_duplicate_id", _jsonl("duplicate.jsonl", [_record("jl_dup", EN), _record("jl_dup", EN2)]), ("ok", "duplicate_id"), _check_duplicate),
    Case("jsonl_not_objects", _jsonl("not_objects.jsonl", ["42", '"text"', "[1, 2]", "null"]), ("error",), reason="not an object"),
    Case("csv_newlines_quotes_nuls", _csv_tricky, ("ok",), _check_csv),
    Case("csv_huge_field", _csv_huge_field, ("ok",), _check_csv_huge),
    Case("filename_spaces", _names("report with  spaces.txt"), ("ok",), _check_clean_ids),
    Case("filename_unicode", _names("تقرير بغداد — é.txt", "emoji \U0001f525 news.txt"), ("ok",), _check_clean_ids),
    Case("filename_leading_dash", _names("-rf.txt", "--help.txt", "-"), ("ok", "unsupported"), _check_doc_ids),
    Case("filename_newline", _names("line\nbreak.txt", "tab\there.txt"), ("ok",), _check_clean_ids),
    Case("symlink_file_outside", _symlink_file, ("unsupported",), _no_secret, reason="symbolic link"),
    Case("symlink_dir_outside", _symlink_dir, ("unsupported",), reason="symbolic link"),
    Case("symlink_loop", _symlink_loop, ("unsupported",), reason="symbolic link"),
    Case("named_pipe", _fifo, ("unsupported",), reason="not a regular file"),
    Case("unsupported_type", _bytes("scan.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), ("unsupported",), reason="include"),
    Case("records_none", _records_none, ("empty",), reason="no records"),
)


def _unclosed_quotes(folder: Path, ctx: dict) -> list[str]:
    lines = []
    for i in range(500):
        opener = ("“", "«", '"', "‘")[i % 4]
        lines.append(f"Paragraph {i}: the spokesman said {opener}the convoy will move at dawn and the crossing stays open {EN2}")
    (folder / "unclosed_quotes_en.txt").write_text("\n".join(lines), encoding="utf-8")
    ar_lines = [f"وقال المتحدث في الفقرة {i} «إن القافلة ستتحرك فجراً {AR2}" for i in range(500)]
    (folder / "unclosed_quotes_ar.txt").write_text("\n".join(ar_lines), encoding="utf-8")
    return ["unclosed_quotes_en.txt", "unclosed_quotes_ar.txt"]


def _ten_thousand_numbers(folder: Path, ctx: dict) -> list[str]:
    rng = random.Random(13)
    forms = (lambda n: f"{n:,}", lambda n: str(n), lambda n: f"{n / 100:.2f}", lambda n: f"{n} troops", lambda n: f"{n} killed")
    numbers = [forms[i % len(forms)](rng.randrange(0, 10**7)) for i in range(10_000)]
    lines = [" ".join(numbers[i : i + 50]) for i in range(0, len(numbers), 50)]
    (folder / "ten_thousand_numbers.txt").write_text("\n".join(lines), encoding="utf-8")
    arabic = " ".join(str(rng.randrange(10**6)).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")) + " جندي" for _ in range(2000))
    (folder / "arabic_numbers.txt").write_text(arabic, encoding="utf-8")
    return ["ten_thousand_numbers.txt", "arabic_numbers.txt"]


def _all_quote_marks(folder: Path, ctx: dict) -> list[str]:
    marks = "\"'“”„‟«»‹›‘’‚‛「」『』〝〞＂"
    rng = random.Random(17)
    lines = ["".join(rng.choice(marks) for _ in range(200)) for _ in range(50)]
    (folder / "all_quote_marks.txt").write_text("\n".join(lines), encoding="utf-8")
    (folder / "quote_marks_spaced.txt").write_text("\n".join(" ".join(line) for line in lines[:20]), encoding="utf-8")
    return ["all_quote_marks.txt", "quote_marks_spaced.txt"]


def _hostile_ids(folder: Path, ctx: dict) -> list[str]:
    ids = ["../../etc/passwd", "CON", "nul.txt", "..", "/abs/evil", "..\\..\\windows", "a/../../b", "-rf", "$(touch pwned)", "%2e%2e%2fescape"]
    texts = [f"{EN} Record {i}." for i in range(len(ids))]
    (folder / "hostile_ids.jsonl").write_text("\n".join(_record(i, t) for i, t in zip(ids, texts)) + "\n", encoding="utf-8")
    return ["hostile_ids.jsonl"]


def _formulas(folder: Path, ctx: dict) -> list[str]:
    lines = ["=HYPERLINK(\"http://127.0.0.1/x\",\"click\")", "+SUM(1,2) was shown on the screen.", "-2 degrees were recorded at dawn.",
             "@cmd said the figures were wrong.", EN]
    (folder / "=formula.txt").write_text("\n".join(lines), encoding="utf-8")
    return ["=formula.txt"]


def _code_like(folder: Path, ctx: dict) -> list[str]:
    marker = ctx["pwned"]
    lines = [f"__import__('os').system('touch {marker}')", f"{{{{ self.__init__.__globals__ }}}} ${{jndi:ldap://127.0.0.1/{marker}}}",
             f"`touch {marker}` $(touch {marker}) ; rm -rf {marker}", "cos\nsystem\n(S'touch x'\ntR.", EN2]
    (folder / "code_like.txt").write_text("\n".join(lines), encoding="utf-8")
    (folder / "pickle_like.txt").write_bytes(b"\x80\x04\x95" + f"cos\nsystem\n(S'touch {marker}'\ntR.".encode())
    return ["code_like.txt", "pickle_like.txt"]


PIPELINE_CASES: tuple[Case, ...] = (
    Case("unclosed_quotes_500_paragraphs", _unclosed_quotes, ("ok",)),
    Case("ten_thousand_numbers", _ten_thousand_numbers, ("ok",)),
    Case("all_quotation_marks", _all_quote_marks, ("ok",)),
    Case("long_line_2m_full_pipeline", _long_line, ("ok",), lambda r: _all(r, "truncated", True)),
    Case("doc_id_path_traversal", _hostile_ids, ("ok",), _check_clean_ids),
    Case("csv_formula_cells", _formulas, ("ok",)),
    Case("code_and_pickle_payloads", _code_like, ("ok", "undecodable")),
)
