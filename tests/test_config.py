"""Tests for lineage.config: frozen settings, TOML overrides, checked names and types."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from lineage import Config, LineageError, load_config
from lineage.config import RelationConfig, SketchConfig, TreeConfig


def write_toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lineage.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults():
    assert load_config() == Config()
    cfg = Config()
    assert cfg.seed == 1
    assert (cfg.shingle.size, cfg.shingle.cjk_size) == (5, 8)
    assert (cfg.sketch.num_perm, cfg.sketch.threshold) == (128, 0.2)


def test_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Config().seed = 3  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Config().relation.wholly_coverage = 0.1  # type: ignore[misc]


def test_toml_overrides(tmp_path):
    path = write_toml(tmp_path, """
seed = 7
[sketch]
num_perm = 256
[relation]
wholly_coverage = 0.75
min_sentences = 4
[tree]
wire_sources = ["meridian newswire", "reuters"]
""")
    cfg = load_config(path)
    assert cfg.seed == 7
    assert cfg.sketch == SketchConfig(num_perm=256, threshold=0.2)
    assert cfg.relation == dataclasses.replace(RelationConfig(), wholly_coverage=0.75,
                                               min_sentences=4)
    assert cfg.tree.wire_sources == ("meridian newswire", "reuters")
    assert cfg.shingle == Config().shingle  # untouched sections keep their defaults


def test_int_accepted_for_float_and_kept_float(tmp_path):
    cfg = load_config(write_toml(tmp_path, "[relation]\nwholly_coverage = 1\n"))
    assert cfg.relation.wholly_coverage == 1.0
    assert isinstance(cfg.relation.wholly_coverage, float)


def test_keyword_overrides_win_over_file(tmp_path):
    path = write_toml(tmp_path, "seed = 7\n")
    assert load_config(path, seed=3).seed == 3
    assert load_config(relation={"same_story_cosine": 0.2}).relation.same_story_cosine == 0.2


def test_round_trip_through_to_dict():
    cfg = Config(seed=4, tree=TreeConfig(time_weight=0.25, wire_sources=("x",)))
    assert load_config(**cfg.to_dict()) == cfg


@pytest.mark.parametrize("text", [
    "colour = 1\n",
    "[sketch]\nnum_perms = 64\n",
    "[relation]\nwholly = 0.5\n",
    "[nosuchsection]\nx = 1\n",
])
def test_unknown_key_is_an_error(tmp_path, text):
    with pytest.raises(LineageError, match="unknown setting"):
        load_config(write_toml(tmp_path, text))


@pytest.mark.parametrize("text", [
    "seed = \"seven\"\n",
    "seed = 1.5\n",
    "seed = true\n",
    "[sketch]\nnum_perm = \"many\"\n",
    "[sketch]\nthreshold = \"low\"\n",
    "[relation]\nwholly_coverage = false\n",
    "[relation]\nmin_sentences = 2.5\n",
    "sketch = 3\n",
])
def test_wrong_type_is_an_error(tmp_path, text):
    with pytest.raises(LineageError):
        load_config(write_toml(tmp_path, text))


def test_wrong_type_keyword_is_an_error():
    with pytest.raises(LineageError, match="seed"):
        load_config(seed="3")


@pytest.mark.parametrize("value", ["\"reuters\"", "5", "[1, 2]"])
def test_wrong_type_for_list_setting_is_an_error(tmp_path, value):
    path = write_toml(tmp_path, f"[tree]\nwire_sources = {value}\n")
    with pytest.raises(LineageError):
        load_config(path)


def test_missing_and_invalid_files(tmp_path):
    with pytest.raises(LineageError, match="does not exist"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(LineageError, match="not a valid TOML"):
        load_config(write_toml(tmp_path, "seed = = 3\n"))
    bad = tmp_path / "latin1.toml"
    bad.write_bytes("# caf\xe9\nseed = 2\n".encode("latin-1"))
    with pytest.raises(LineageError, match="not a valid TOML"):
        load_config(bad)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"seed": -3}, "config: seed must be a number from 0 to 4294967295, got -3"),
    ({"sketch": {"num_perm": 0}}, "config [sketch]: num_perm must be a number from 1 to 65536"),
    ({"sketch": {"threshold": float("nan")}}, "config [sketch]: threshold must be a number"),
    ({"tree": {"time_weight": -1.0}}, "config [tree]: time_weight must be a number at least 0"),
])
def test_settings_out_of_range_are_one_line_errors(overrides, message):
    with pytest.raises(LineageError) as caught:
        load_config(**overrides)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_every_default_setting_is_in_range():
    assert load_config(**Config().to_dict()) == Config()
