"""The config layer: defaults, the built-in recipes, ``--set`` parsing, type and range checks, "did you mean"
hints, and the YAML dump a run folder keeps."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from gankit.config import (
    Config,
    all_keys,
    config_from_dict,
    dump_config,
    load_config,
    parse_override,
    recipe_names,
    recipe_source,
    validate,
)
from gankit.errors import ConfigError

RECIPES = [
    "biggan-fashion", "cgan", "cgan-ar1", "cgan-fashion", "cgan-sp500", "ctgan-breast-cancer", "ctgan-superstore",
    "cyclegan-sneaker2boot", "dcgan", "dcgan-fashion", "dcgan-fashion-long", "dcgan-mnist", "gan-grid",
    "gan-mlp-fashion", "gan-ring", "medgan-flchain", "mlp-gan", "pix2pix-edges2fashion", "pix2pixhd-edges2fashion",
    "progan-fashion", "quantgan-sp500", "sagan-fashion", "stylegan-fashion", "stylegan2-fashion", "timegan-sp500", "tvae-breast-cancer",
    "tvae-superstore",
]


def _error(call, *args, **kwargs) -> str:
    """The one-line message of the ConfigError that `call(*args)` raises."""
    with pytest.raises(ConfigError) as info:
        call(*args, **kwargs)
    message = str(info.value)
    assert message and "\n" not in message
    return message


# ------------------------------------------------------------------------------------------- defaults, recipes
def test_defaults_validate_and_equal_an_empty_mapping():
    validate(Config())
    assert config_from_dict({}) == Config()


def test_recipe_names_are_the_built_ins():
    assert recipe_names() == RECIPES


@pytest.mark.parametrize("name", RECIPES)
def test_every_recipe_loads_and_validates(name):
    config = load_config(name)
    validate(config)
    assert config.name == name
    assert config.description
    raw, source = recipe_source(name)
    assert source == f"recipe {name}"
    assert config.train.steps == raw["train"]["steps"]  # the recipe's own values win over the defaults


def test_recipe_values_reach_the_config():
    ring = load_config("gan-ring")
    assert (ring.data.name, ring.model.arch, ring.model.z_dim, ring.model.g_hidden) == ("ring", "mlp", 2, [256] * 4)
    assert (ring.optim.decay, ring.optim.decay_start) == ("linear", 0.0)
    assert ring.stab.top_k == 0.5
    assert ring.optim.lr_g == 1e-3 and isinstance(ring.optim.lr_g, float)
    assert load_config("cgan-fashion").game == "conditional"


def test_unknown_recipe_suggests_a_close_name():
    assert "did you mean 'gan-grid'" in _error(load_config, "gan-gird")


def test_yaml_file_with_overrides(tmp_path):
    path = tmp_path / "mine.yml"
    path.write_text("name: mine\nloss: hinge\ntrain: {steps: 7}\n", encoding="utf-8")
    config = load_config(str(path), ["train.steps=9", "train.steps=11", "optim.lr_d=1e-4"])
    assert (config.name, config.loss, config.train.steps, config.optim.lr_d) == ("mine", "hinge", 11, 1e-4)


def test_empty_yaml_file_is_the_defaults(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("", encoding="utf-8")
    assert load_config(str(path)) == Config()


def test_missing_and_invalid_yaml_files_are_named(tmp_path):
    assert str(tmp_path / "no.yaml") in _error(load_config, str(tmp_path / "no.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: 1\nb: [2\n", encoding="utf-8")
    message = _error(load_config, str(bad))
    assert str(bad) in message and "not valid YAML" in message


# ------------------------------------------------------------------------------------------- --set parsing
@pytest.mark.parametrize(
    ("text", "path", "value"),
    [
        ("optim.lr_g=1e-4", ["optim", "lr_g"], 1e-4),  # YAML 1.1 reads 1e-4 as a string; it must be a float
        ("optim.lr_g=2.0e-4", ["optim", "lr_g"], 2e-4),
        ("optim.lr_g=.5", ["optim", "lr_g"], 0.5),
        ("train.steps=300", ["train", "steps"], 300),
        ("train.amp=true", ["train", "amp"], True),
        ("train.amp=false", ["train", "amp"], False),
        ("train.amp=auto", ["train", "amp"], "auto"),
        ("model.g_hidden=[1,2]", ["model", "g_hidden"], [1, 2]),
        ("model.g_hidden=[64, 64, 64]", ["model", "g_hidden"], [64, 64, 64]),
        ("data.path=null", ["data", "path"], None),
        ("data.path=", ["data", "path"], None),
        ("data.path=/data/x.npz", ["data", "path"], "/data/x.npz"),
        ("description=a=b", ["description"], "a=b"),
        ("name=v1.0", ["name"], "v1.0"),
        (" train.steps =5", ["train", "steps"], 5),
        ("a.b.c.d=x", ["a", "b", "c", "d"], "x"),
    ],
)
def test_parse_override(text, path, value):
    got_path, got = parse_override(text)
    assert got_path == path
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("text", ["train.steps", "=3", "", " = 3"])
def test_parse_override_needs_key_equals_value(text):
    assert "--set expects key=value" in _error(parse_override, text)


def test_overrides_nest_into_sections():
    config = config_from_dict({}, ["model.g_hidden=[8, 8]", "train.ema=0.999", "data.path=/tmp/d", "seed=3"])
    assert config.model.g_hidden == [8, 8]
    assert config.train.ema == 0.999
    assert config.data.path == "/tmp/d"
    assert config.seed == 3
    assert Config().model.g_hidden == [256, 512, 1024]  # the default list is not shared and not mutated


# ------------------------------------------------------------------------------------------- types
@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"train": {"steps": "10"}}, ("'train.steps'", "integer", "'10'")),
        ({"train": {"steps": True}}, ("'train.steps'", "integer")),
        ({"train": {"steps": 2.5}}, ("'train.steps'", "integer")),
        ({"optim": {"lr_g": "fast"}}, ("'optim.lr_g'", "number")),
        ({"optim": {"lr_g": False}}, ("'optim.lr_g'", "number")),
        ({"train": {"amp": 1}}, ("'train.amp'", "true, false or auto")),
        ({"train": {"amp": "yes"}}, ("'train.amp'", "true, false or auto", "'yes'")),
        ({"model": {"g_hidden": 256}}, ("'model.g_hidden'", "list of integers")),
        ({"model": {"g_hidden": [256, True]}}, ("'model.g_hidden'", "list of integers")),
        ({"model": {"g_hidden": [256, 1.5]}}, ("'model.g_hidden'", "list of integers")),
        ({"name": 3}, ("'name'", "string")),
        ({"loss": None}, ("'loss'", "empty")),
        ({"train": 5}, ("'train'", "mapping")),
        ({"train": None}, ("'train'", "mapping")),
        ({"data": {"img_size": "32"}}, ("'data.img_size'", "integer")),
    ],
)
def test_type_errors_name_the_key(values, says):
    message = _error(config_from_dict, values)
    for fragment in says:
        assert fragment in message


def test_ints_become_floats_and_optional_keys_take_none():
    config = config_from_dict({"optim": {"lr_g": 1}, "data": {"path": None, "img_size": None}})
    assert config.optim.lr_g == 1.0 and isinstance(config.optim.lr_g, float)
    assert config.data.path is None and config.data.img_size is None


# ------------------------------------------------------------------------------------------- ranges
@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("train.steps=0", "train.steps"), ("train.log_every=0", "train.log_every"), ("train.keep=-1", "train.keep"),
        ("optim.lr_d=0", "optim.lr_d"), ("optim.beta2=1.0", "optim.beta2"), ("optim.beta1=-0.1", "optim.beta1"),
        ("train.ema=1.0", "train.ema"), ("train.ema=-0.5", "train.ema"), ("model.d_width=0", "model.d_width"),
        ("reg.gp_weight=-1", "reg.gp_weight"), ("reg.clip=0", "reg.clip"), ("reg.r1_every=0", "reg.r1_every"),
        ("data.n_points=0", "data.n_points"), ("data.channels=4", "data.channels"), ("data.split=dev", "data.split"),
        ("loss=wgan", "loss"), ("game=cycle", "game"), ("device=tpu", "device"),
        ("optim.weight_decay=-1e-5", "optim.weight_decay"),
    ],
)
def test_out_of_range_values_name_the_key(override, key):
    assert f"'{key}'" in _error(config_from_dict, {}, [override])


@pytest.mark.parametrize(
    "override",
    ["train.ema=0", "train.ema=0.999", "optim.beta1=0", "reg.gp_weight=0", "reg.r1_gamma=0", "data.channels=3",
     "device=cpu", "device=cuda:1", "device=mps", "loss=wgan-gp", "game=conditional", "data.split=test",
     "optim.weight_decay=0"],
)
def test_boundary_values_that_are_allowed(override):
    config_from_dict({}, [override])


def test_malformed_cuda_device_is_a_config_error():
    assert "'device'" in _error(config_from_dict, {}, ["device=cuda:x"])


@pytest.mark.parametrize("override", ["optim.lr_g=.nan", "optim.lr_d=.inf", "reg.gp_weight=.nan"])
def test_non_finite_numbers_are_rejected(override):
    _error(config_from_dict, {}, [override])


@pytest.mark.parametrize("override", ["model.g_hidden=[0]", "model.d_hidden=[64, -1]"])
def test_hidden_widths_must_be_positive(override):
    assert "hidden" in _error(config_from_dict, {}, [override])


# ------------------------------------------------------------------------------------------- did you mean
@pytest.mark.parametrize(
    ("key", "hint"),
    [("train.stpes", "train.steps"), ("model.zdim", "model.z_dim"), ("train.batchsize", "train.batch_size"),
     ("optim.lr", "optim.lr_g"), ("data.nme", "data.name")],
)
def test_unknown_key_suggests_the_closest(key, hint):
    message = _error(config_from_dict, {}, [f"{key}=1"])
    assert f"unknown config key '{key}'" in message
    assert f"did you mean '{hint}'" in message


def test_unknown_key_in_a_mapping_is_named_with_its_section():
    message = _error(config_from_dict, {"model": {"zdim": 3}})
    assert "'model.zdim'" in message and "'model.z_dim'" in message


def test_unknown_key_far_from_any_gets_no_hint():
    message = _error(config_from_dict, {"flux_capacitor": 1})
    assert "'flux_capacitor'" in message and "did you mean" not in message


def test_all_keys_lists_every_leaf_once():
    keys = all_keys()
    assert len(keys) == len(set(keys))
    assert {"train.steps", "optim.lr_g", "model.g_hidden", "data.path", "seed", "loss"} <= set(keys)
    assert "train" not in keys
    from gankit.config.sections import get_section, section_names

    sections = [f for f in dataclasses.fields(Config()) if dataclasses.is_dataclass(getattr(Config(), f.name))]
    leaves = sum(len(dataclasses.fields(getattr(Config(), f.name))) for f in sections)
    family = sum(len(dataclasses.fields(get_section(name).schema)) for name in section_names())
    top = len(dataclasses.fields(Config())) - 1  # `sections` holds the family sections, counted in `family`
    assert "pix2pix" in section_names() and "pix2pix.lambda_l1" in keys
    assert len(keys) == leaves + top - len(sections) + family


# ------------------------------------------------------------------------------------------- dump
@pytest.mark.parametrize("name", RECIPES)
def test_dump_config_round_trips(name):
    config = load_config(name, ["data.path=/data/here", "optim.lr_g=1e-5", "model.g_hidden=[3, 4]", "train.ema=0.9"])
    text = dump_config(config)
    again = config_from_dict(yaml.safe_load(text))
    assert again == config
    assert dump_config(again) == text
    assert text.index("name:") < text.index("train:")  # written in schema order, readable top to bottom
