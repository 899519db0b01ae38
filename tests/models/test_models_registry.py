"""The model registry: built-ins, user registration, and one-line ConfigErrors."""

import pytest
from torch import nn

from gankit.errors import ConfigError
from gankit.models import (
    MODEL_NAMES,
    ConditionalDCGANDiscriminator,
    DCGANGenerator,
    MLPDiscriminator,
    build_discriminator,
    build_generator,
    register_model,
)
from gankit.models import registry


@pytest.fixture
def clean_registry():
    factories, names = dict(registry._FACTORIES), list(MODEL_NAMES)
    yield
    registry._FACTORIES.clear()
    registry._FACTORIES.update(factories)
    MODEL_NAMES[:] = names


def test_builtins_are_registered():
    assert MODEL_NAMES[:4] == ["mlp", "dcgan", "cgan-mlp", "cgan-dcgan"]
    assert isinstance(build_generator("dcgan", img_size=28, width=8), DCGANGenerator)
    assert isinstance(build_discriminator("mlp", in_shape=(2,)), MLPDiscriminator)
    assert isinstance(build_discriminator("cgan-dcgan", img_size=32, num_classes=3, width=8),
                      ConditionalDCGANDiscriminator)


def test_unknown_arch_is_a_one_line_config_error():
    with pytest.raises(ConfigError) as err:
        build_generator("stylegan9")
    assert str(err.value) == "model 'stylegan9' is unknown (choose one of mlp, dcgan, cgan-mlp, cgan-dcgan)"
    with pytest.raises(ConfigError, match="'stylegan9' is unknown"):
        build_discriminator("stylegan9")


def test_wrong_argument_names_the_model_and_the_argument():
    with pytest.raises(ConfigError) as err:
        build_discriminator("dcgan", img_size=32, z_dim=100)
    message = str(err.value)
    assert "\n" not in message and "'dcgan'" in message and "discriminator" in message and "z_dim" in message
    with pytest.raises(ConfigError, match="'mlp' generator.*out_shape"):
        build_generator("mlp", z_dim=4)  # a missing required argument


def test_bad_value_inside_a_model_stays_a_config_error():
    with pytest.raises(ConfigError, match="img_size=40"):
        build_generator("cgan-dcgan", img_size=40)


def test_user_registration_works_like_the_builtins(clean_registry):
    class TinyG(nn.Module):
        def __init__(self, z_dim: int = 2):
            super().__init__()
            self.z_dim = z_dim

    register_model("tiny", TinyG, lambda in_dim=2: nn.Linear(in_dim, 1))
    assert "tiny" in MODEL_NAMES
    assert build_generator("tiny", z_dim=5).z_dim == 5
    assert build_discriminator("tiny", in_dim=3).in_features == 3
    with pytest.raises(ConfigError, match="'tiny' is already registered"):
        register_model("tiny", TinyG, TinyG)
    register_model("tiny", TinyG, TinyG, overwrite=True)
    assert isinstance(build_discriminator("tiny"), TinyG)
    assert MODEL_NAMES.count("tiny") == 1


@pytest.mark.parametrize("name,g,d,match", [
    ("", nn.Identity, nn.Identity, "non-empty string"),
    ("x", "not callable", nn.Identity, "'x': both factories must be callables"),
])
def test_registration_rejects_bad_input(clean_registry, name, g, d, match):
    with pytest.raises(ConfigError, match=match):
        register_model(name, g, d)
