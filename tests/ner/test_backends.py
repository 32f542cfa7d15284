"""The stanza and transformers NER backends, run on tiny models built here.

Each model is made locally with hand-set weights and a handful of words, saved in the
library's own format (a Stanza resources folder; `save_pretrained` of a transformers model
and its fast tokenizer) and loaded through the backend factory, the same way a downloaded
model would be. Nothing is downloaded and nothing of the libraries is mocked.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
import torch

from pipeline.models import ModelNotFound
from pipeline.ner.backends import Mention, _whole_words, build, stanza_backend, transformers_backend

# ---------------------------------------------------------------- stanza: tiny tokenize + ner models

LANG = "en"
# Word classes of the tiny NER model: a word's pretrain vector is the one-hot of its class,
# and the model tags each class with its own tag (BIOES, as Stanza's NER models use).
CLASSES = {"paris": 0, "acme": 1, "marie": 2, "curie": 3}
TAG_OF_CLASS = {0: "S-LOC", 1: "S-ORG", 2: "B-PER", 3: "E-PER"}
WORDS = [*CLASSES, "visited", "met", "in", "the", "."]
PUNCT = ".,;:!?"


def _write_pretrain(pt: Path, vectors: dict[str, int]) -> None:
    """A Stanza pretrain .pt, made the way Stanza makes one: from a word2vec text file."""
    from stanza.models.common.pretrain import Pretrain

    vec = pt.with_suffix(".vec")
    vec.parent.mkdir(parents=True, exist_ok=True)
    rows = [f"{len(WORDS)} {len(CLASSES)}"]
    for w in WORDS:
        v = [0.0] * len(CLASSES)
        if w in vectors:
            v[vectors[w]] = 1.0
        rows.append(" ".join([w, *map(str, v)]))
    vec.write_text("\n".join(rows) + "\n", encoding="utf-8")
    Pretrain(str(pt), str(vec)).load()  # reads the .vec and saves the .pt
    vec.unlink()
    assert pt.is_file()


def _write_ner(pt: Path, pretrain_pt: Path, tag_of_class: dict[int, str]) -> None:
    """A Stanza NER model saved by Stanza's NER trainer.

    The vocabularies come from Stanza's own NER data loader over one training sentence; the
    BiLSTM passes each word's class through (input gate open, forget gate shut, no recurrence)
    and the classifier maps class k to `tag_of_class[k]`, every other word to O.
    """
    from stanza.models import ner_tagger
    from stanza.models.common.doc import Document
    from stanza.models.common.pretrain import Pretrain
    from stanza.models.ner.data import DataLoader
    from stanza.models.ner.trainer import Trainer

    n = len(CLASSES)
    args = ner_tagger.parse_args([])
    args.update(shorthand=f"{LANG}_tiny", word_emb_dim=n, hidden_dim=n, char=False, input_transform=False,
                dropout=0.0, word_dropout=0.0, locked_dropout=0.0, batch_size=8)
    tagged = [("Marie", "B-PER"), ("Curie", "E-PER"), ("met", "O"), ("Acme", "S-ORG"), ("in", "O"), ("Paris", "S-LOC")]
    pretrain = Pretrain(str(pretrain_pt))
    vocab = DataLoader(Document([[{"text": w, "ner": t} for w, t in tagged]]), 8, args, pretrain).vocab
    trainer = Trainer(args=args, vocab=vocab, pretrain=pretrain, device="cpu")
    tags = vocab["tag"]._id2unit[0]
    model = trainer.model
    with torch.no_grad():
        for suffix in ("", "_reverse"):
            w_ih = getattr(model.taggerlstm.lstm, f"weight_ih_l0{suffix}")
            b_ih = getattr(model.taggerlstm.lstm, f"bias_ih_l0{suffix}")
            w_ih.zero_()
            b_ih.zero_()
            getattr(model.taggerlstm.lstm, f"weight_hh_l0{suffix}").zero_()
            getattr(model.taggerlstm.lstm, f"bias_hh_l0{suffix}").zero_()
            b_ih[0:n] = 20.0  # input gate open
            b_ih[n : 2 * n] = -20.0  # forget gate shut
            b_ih[3 * n : 4 * n] = 20.0  # output gate open
            w_ih[2 * n : 3 * n] = 3.0 * torch.eye(n)  # cell input = the word's class
        clf = model.tag_clfs[0]
        clf.weight.zero_()
        clf.bias.fill_(-10.0)
        clf.bias[tags.index("O")] = 2.0
        for k, tag in tag_of_class.items():
            clf.bias[tags.index(tag)] = 0.0
            clf.weight[tags.index(tag), k] = 5.0  # forward direction
            clf.weight[tags.index(tag), n + k] = 5.0  # backward direction
        model.crits[0]._transitions.zero_()
    pt.parent.mkdir(parents=True, exist_ok=True)
    trainer.save(str(pt))
    assert pt.is_file()


def _write_tokenizer(pt: Path) -> None:
    """A Stanza tokenizer saved by Stanza's tokenizer trainer.

    A character ends a token when the next one is a space or punctuation, when it is
    punctuation itself, or at the end of the paragraph, which also ends the sentence. The
    recurrent layer is silent; one width-3 convolution over the character embedding (1 for
    punctuation) and the `space_before`/`end_of_para` features does the work.
    """
    from stanza.models import tokenizer
    from stanza.models.tokenization.trainer import Trainer
    from stanza.models.tokenization.vocab import Vocab

    chars = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 " + PUNCT)
    vocab = Vocab([[(c, 0) for c in chars]], LANG)
    feats = ["space_before", "end_of_para"]
    args = tokenizer.parse_args([])
    args.update(lang=LANG, shorthand=f"{LANG}_tiny", feat_funcs=feats, feat_dim=len(feats), emb_dim=1, hidden_dim=2,
                 conv_res="3", hierarchical=False, use_mwt=False, use_dictionary=False, num_dict_feat=0,
                 vocab_size=len(vocab), dropout=0.0, feat_dropout=0.0)
    trainer = Trainer(args=args, vocab=vocab, device="cpu")
    model = trainer.model
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
        for c in PUNCT:
            model.embeddings.weight[vocab.unit2id(c), 0] = 1.0
        conv = model.conv_res[0]  # [out channel, input (punct, space_before, end_of_para), position i-1/i/i+1]
        conv.weight[0, 1, 2] = 1.0  # next char is a space
        conv.weight[0, 0, 2] = 1.0  # next char is punctuation
        conv.weight[0, 0, 1] = 1.0  # this char is punctuation
        conv.weight[0, 2, 1] = 1.0  # end of paragraph
        conv.weight[1, 2, 1] = 1.0  # channel 1: end of paragraph ends the sentence
        model.tok_clf.weight[0, 0] = 20.0
        model.tok_clf.bias[0] = -10.0
        model.sent_clf.weight[0, 1] = 20.0
        model.sent_clf.bias[0] = -10.0
    pt.parent.mkdir(parents=True, exist_ok=True)
    trainer.save(str(pt))
    assert pt.is_file()


def _write_resources(folder: Path) -> None:
    """resources.json as stanza.download leaves it, listing the tiny package."""
    entry = {
        "lang_name": "English",
        "tokenize": {"tiny": {}},
        "pretrain": {"tiny": {}},
        "ner": {"tiny": {"dependencies": [{"model": "pretrain", "package": "tiny"}]}},
        "default_processors": {"tokenize": "tiny", "ner": "tiny"},
        "packages": {"default": {"tokenize": "tiny", "ner": "tiny"}},
    }
    (folder / "resources.json").write_text(json.dumps({LANG: entry}), encoding="utf-8")


@pytest.fixture(scope="module")
def stanza_dir(tmp_path_factory) -> Path:
    """A Stanza resources folder: resources.json + en/{tokenize,pretrain,ner}/tiny.pt."""
    folder = tmp_path_factory.mktemp("stanza_resources")
    _write_pretrain(folder / LANG / "pretrain" / "tiny.pt", CLASSES)
    _write_ner(folder / LANG / "ner" / "tiny.pt", folder / LANG / "pretrain" / "tiny.pt", TAG_OF_CLASS)
    _write_tokenizer(folder / LANG / "tokenize" / "tiny.pt")
    _write_resources(folder)
    return folder


def _spans(text: str, mentions: list[Mention]) -> list[tuple[str, str, str]]:
    return [(text[m.start : m.end], m.label, m.source_label) for m in mentions]


def test_stanza_backend_finds_entities_at_their_offsets(stanza_dir):
    run = build({"type": "stanza", "model_dir": str(stanza_dir), "batch_size": 2}, LANG)
    texts = [
        "Marie Curie visited Paris.",
        "  Acme  met  Marie Curie in the Paris,again",
        "nothing to see",
        "",
        "   ",
        "Paris",
    ]
    out = run(texts)
    assert len(out) == len(texts)
    assert out[0] == [Mention(0, 11, "PERSON", "PER", 1.0, "stanza"), Mention(20, 25, "LOC", "LOC", 1.0, "stanza")]
    assert _spans(texts[1], out[1]) == [("Acme", "ORG", "ORG"), ("Marie Curie", "PERSON", "PER"), ("Paris", "LOC", "LOC")]
    assert [(m.start, m.end) for m in out[1]] == [(2, 6), (13, 24), (32, 37)]
    assert out[2] == out[3] == out[4] == []
    assert out[5] == [Mention(0, 5, "LOC", "LOC", 1.0, "stanza")]
    assert run([]) == []


def test_stanza_backend_loads_overriding_ner_model_and_pretrain(stanza_dir, tmp_path):
    # Another NER model (class 0 is now an ORG) with its own pretrain ("acme" is now class 0).
    # Both files must be used: the folder's pretrain would make "Paris" the ORG, the folder's
    # NER model would make "Acme" a LOC.
    pretrain = tmp_path / "other_pretrain.pt"
    _write_pretrain(pretrain, {"acme": 0})
    _write_ner(tmp_path / "other_ner.pt", pretrain, {0: "S-ORG"})
    run = stanza_backend(str(stanza_dir), LANG, ner_model_path=str(tmp_path / "other_ner.pt"), pretrain_path=str(pretrain))
    text = "Marie Curie met Acme in Paris"
    assert _spans(text, run([text])[0]) == [("Acme", "ORG", "ORG")]


def test_stanza_backend_picks_a_ner_package_with_its_own_pretrain(stanza_dir, tmp_path):
    # a second NER package in the folder, depending on a second pretrain, as resources.json lists them
    folder = tmp_path / "resources"
    shutil.copytree(stanza_dir, folder)
    _write_pretrain(folder / LANG / "pretrain" / "other.pt", {"acme": 0})
    _write_ner(folder / LANG / "ner" / "other.pt", folder / LANG / "pretrain" / "other.pt", {0: "S-ORG"})
    resources = json.loads((folder / "resources.json").read_text(encoding="utf-8"))
    resources[LANG]["pretrain"]["other"] = {}
    resources[LANG]["ner"]["other"] = {"dependencies": [{"model": "pretrain", "package": "other"}]}
    (folder / "resources.json").write_text(json.dumps(resources), encoding="utf-8")
    text = "Marie Curie met Acme in Paris"
    run = build({"type": "stanza", "model_dir": str(folder), "ner_package": "other"}, LANG)
    assert _spans(text, run([text])[0]) == [("Acme", "ORG", "ORG")]
    run = build({"type": "stanza", "model_dir": str(folder)}, LANG)
    assert _spans(text, run([text])[0]) == [("Marie Curie", "PERSON", "PER"), ("Acme", "ORG", "ORG"), ("Paris", "LOC", "LOC")]


def test_stanza_missing_models_raise_model_not_found(stanza_dir, tmp_path):
    missing = tmp_path / "no_such_folder"
    with pytest.raises(ModelNotFound, match=rf"{re.escape(str(missing))} not found.*stanza\.download\('en'"):
        stanza_backend(str(missing), LANG)
    with pytest.raises(ModelNotFound, match=r"has no 'fr' models"):
        stanza_backend(str(stanza_dir), "fr")
    with pytest.raises(ModelNotFound, match=r"ner model file .*nope\.pt not found"):
        stanza_backend(str(stanza_dir), LANG, ner_model_path=str(tmp_path / "nope.pt"))
    # a folder whose resources.json lists a NER model that is not there
    partial = tmp_path / "partial"
    shutil.copytree(stanza_dir, partial)
    (partial / LANG / "ner" / "tiny.pt").unlink()
    with pytest.raises(ModelNotFound, match=rf"incomplete.*{re.escape(str(partial / LANG / 'ner' / 'tiny.pt'))}"):
        stanza_backend(str(partial), LANG)


def test_stanza_not_installed_raises_model_not_found(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "stanza", None)
    with pytest.raises(ModelNotFound, match=r"pip install stanza"):
        stanza_backend(str(tmp_path), LANG)


# ---------------------------------------------------------------- transformers: tiny BERT token classifier

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "marie", "curie", "visited", "paris", "acme", "the", "in", ".", ",", "lon", "##don"]
LABELS = ["O", "B-LOC", "I-LOC", "B-PER", "I-PER", "B-ORG", "I-ORG"]
MAX_LEN = 16  # the tokenizer's model_max_length: longer texts need the sliding window


def _save_bert(folder: Path, hot: tuple[str, ...] = ()) -> Path:
    """A one-layer BERT token classifier and its fast WordPiece tokenizer, saved with save_pretrained.

    Without `hot` pieces, the classifier ignores its input and its bias makes B-LOC win
    everywhere. With them, the encoder passes the word embedding straight through (all its
    linear maps zero, so only the residual connections remain) and B-LOC wins on those
    word pieces only, O elsewhere.
    """
    from transformers import BertConfig, BertForTokenClassification, BertTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.txt").write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast.from_pretrained(folder, model_max_length=MAX_LEN)  # reads folder/vocab.txt
    assert tokenizer.is_fast
    assert tokenizer.tokenize("Paris visited London, Zqxj") == ["paris", "visited", "lon", "##don", ",", "[UNK]"]
    config = BertConfig(vocab_size=len(VOCAB), hidden_size=4, num_hidden_layers=1, num_attention_heads=1, intermediate_size=8,
                        max_position_embeddings=2 * MAX_LEN, id2label=dict(enumerate(LABELS)), label2id={k: i for i, k in enumerate(LABELS)})
    torch.manual_seed(0)
    model = BertForTokenClassification(config)
    b_loc = LABELS.index("B-LOC")
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.zero_()
        if not hot:
            model.classifier.bias[b_loc] = 5.0
        else:
            for module in model.bert.encoder.modules():
                if isinstance(module, torch.nn.Linear):
                    module.weight.zero_()
                    module.bias.zero_()
            model.bert.embeddings.position_embeddings.weight.zero_()
            model.bert.embeddings.token_type_embeddings.weight.zero_()
            emb = model.bert.embeddings.word_embeddings.weight
            emb[:] = torch.tensor([-1.0, 1.0, 0.0, 0.0])
            for piece in hot:
                emb[VOCAB.index(piece)] = torch.tensor([1.0, -1.0, 0.0, 0.0])
            model.classifier.weight[b_loc, 0] = 5.0
    out = folder / "model"
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def all_loc_model(tmp_path_factory) -> Path:
    return _save_bert(tmp_path_factory.mktemp("hf_all_loc"))


def _words(text: str) -> list[tuple[int, int]]:
    """Words as BERT's pre-tokenizer cuts them: runs of letters/digits, single punctuation marks."""
    return [m.span() for m in re.finditer(r"\w+|[^\w\s]", text)]


def test_transformers_every_word_becomes_a_loc_mention(all_loc_model):
    run = build({"type": "transformers", "model": str(all_loc_model), "batch_size": 2}, LANG)
    texts = [
        "Marie Curie visited London.",  # London is two pieces: lon ##don
        "  the   acme  Zqxj",  # Zqxj is not in the vocabulary: [UNK]
        "زار القاهرة",  # nor is Arabic
        "",
    ]
    out = run(texts)
    assert len(out) == len(texts)
    for text, mentions in zip(texts, out):
        assert [(m.start, m.end) for m in mentions] == _words(text)
        assert {(m.label, m.source_label, m.source) for m in mentions} <= {("LOC", "LOC", "transformers")}
        assert all(0.9 < m.score <= 1.0 for m in mentions)
    assert [texts[0][m.start : m.end] for m in out[0]] == ["Marie", "Curie", "visited", "London", "."]
    assert [texts[2][m.start : m.end] for m in out[2]] == ["زار", "القاهرة"]
    assert out[3] == []
    assert run([]) == []


def test_transformers_long_text_is_read_in_windows(all_loc_model):
    run = transformers_backend(str(all_loc_model))
    text = " ".join(["Paris visited London"] * 12)  # 48 pieces, three times the model's length
    (mentions,) = run([text])
    assert [(m.start, m.end) for m in mentions] == _words(text)


@pytest.mark.parametrize(
    "hot, aggregation, expected",
    [
        (("lon",), "first", [(20, 26)]),  # the word takes its first piece's label: all of "London"
        (("##don",), "first", []),  # ... so a tagged second piece tags nothing
        (("##don",), "simple", [(20, 26)]),  # piece by piece, "don" is widened to the whole word
        (("lon", "##don"), "simple", [(20, 26)]),  # two B- pieces, widened to the same word: one mention
        (("paris",), "simple", [(0, 5)]),
    ],
)
def test_transformers_word_pieces_give_whole_words(tmp_path, hot, aggregation, expected):
    folder = _save_bert(tmp_path, hot=hot)
    run = build({"type": "transformers", "model": str(folder), "aggregation": aggregation}, LANG)
    text = "Paris Marie visited London."
    assert [(m.start, m.end) for m in run([text])[0]] == expected


@pytest.mark.parametrize(
    "text, span, widened",
    [
        ("London.", (3, 6), (0, 6)),
        ("London.", (6, 7), (6, 7)),  # punctuation is not widened into the word before it
        ("  Paris  ", (1, 8), (2, 7)),  # whitespace is trimmed
        ("al-Tanf base", (3, 5), (3, 7)),
        ("زار مُحَمَّد القاهرة", (4, 7), (4, 12)),  # harakat belong to the word
        ("   ", (0, 3), (3, 3)),
    ],
)
def test_whole_words(text, span, widened):
    assert _whole_words(text, *span) == widened


def test_transformers_missing_models_raise_model_not_found(tmp_path):
    missing = tmp_path / "no_such_model"
    with pytest.raises(ModelNotFound, match=rf"folder {re.escape(str(missing))} not found"):
        transformers_backend(str(missing))
    with pytest.raises(ModelNotFound, match=r"not found"):
        build({"type": "transformers", "model": "models/no/such-ner-model"}, LANG)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelNotFound, match=rf"folder {re.escape(str(empty))} could not be loaded.*config\.json"):
        transformers_backend(str(empty))


def test_transformers_not_installed_raises_model_not_found(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "transformers", None)
    with pytest.raises(ModelNotFound, match=r"pip install transformers"):
        transformers_backend(str(tmp_path))


def test_transformers_rejects_unknown_aggregation(all_loc_model):
    with pytest.raises(ValueError, match="aggregation"):
        transformers_backend(str(all_loc_model), aggregation="none")
