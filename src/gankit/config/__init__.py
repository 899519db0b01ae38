"""The configuration: the schema of the shared sections (`schema`), building a `Config` from recipes, YAML files
and ``--set`` overrides (`loading`), and its validation (`validation`).

>>> from gankit.config import load_config
>>> config = load_config("dcgan-fashion", ["train.steps=500"])
"""

from gankit.config.loading import (
    all_keys,
    config_from_dict,
    dump_config,
    load_config,
    parse_override,
    read_yaml,
    recipe_names,
    recipe_source,
    with_absolute_paths,
)
from gankit.config.schema import (
    DECAY_CHOICES,
    LOSS_CHOICES,
    Config,
    DataConfig,
    EvalConfig,
    ModelConfig,
    OptimConfig,
    RegConfig,
    SampleConfig,
    StabilityConfig,
    TrainConfig,
)
from gankit.config.sections import Section, register_section, section_names
from gankit.config.validation import choice_error, register_validator, validate

__all__ = [
    "DECAY_CHOICES", "LOSS_CHOICES", "Config", "DataConfig", "EvalConfig", "ModelConfig", "OptimConfig", "RegConfig",
    "SampleConfig", "StabilityConfig", "TrainConfig", "all_keys", "choice_error", "config_from_dict", "dump_config",
    "load_config", "parse_override", "read_yaml", "recipe_names", "recipe_source", "register_validator", "validate",
    "with_absolute_paths", "Section", "register_section", "section_names",
]
