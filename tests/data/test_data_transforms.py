"""Load-time transforms, the digits dataset and the registry."""

import pytest
import torch
import torch.nn.functional as F

import gankit.data.transforms as transforms
from gankit.data import ArrayDataset, convert_channels, dataset_names, load_dataset, register_dataset, resize_images
from gankit.errors import ConfigError


def test_digits_shape_range_and_classes():
    data = load_dataset("digits")
    assert data.x.shape == (1797, 1, 8, 8) and data.sample_shape == (1, 8, 8) and len(data) == 1797
    assert data.x.dtype == torch.float32 and data.x.is_contiguous()
    assert data.x.min() == -1.0 and data.x.max() == 1.0
    assert data.num_classes == 10 and torch.equal(data.y.unique(), torch.arange(10))
    # values 0..16 map to 17 evenly spaced levels: (v / 16) * 2 - 1
    levels = torch.unique(data.x)
    torch.testing.assert_close(levels, torch.arange(17) / 16 * 2 - 1)


def test_resize_gives_the_shape_and_keeps_mean_intensity():
    digits = load_dataset("digits", limit=200)
    big = load_dataset("digits", limit=200, img_size=32)
    assert big.x.shape == (200, 1, 32, 32)
    torch.testing.assert_close(big.x.mean(dim=(1, 2, 3)), digits.x.mean(dim=(1, 2, 3)), atol=0.03, rtol=0)
    small = resize_images(big.x, 16)
    torch.testing.assert_close(small.mean(dim=(1, 2, 3)), big.x.mean(dim=(1, 2, 3)), atol=0.03, rtol=0)


def test_downscaling_is_antialiased():
    # Bilinear without antialiasing averages 2x2 pixels (noise std / 2); the antialiased triangle filter spans
    # 8x8 pixels at a 4x reduction, leaving std * sum(w^2) = std * 0.164.
    noise = torch.randn(4, 1, 64, 64, generator=torch.Generator().manual_seed(0))
    ratio = resize_images(noise, 16).std() / noise.std()
    assert 0.12 < ratio < 0.22, ratio


def test_chunked_resize_equals_one_shot(monkeypatch):
    x = torch.randn(37, 3, 9, 9, generator=torch.Generator().manual_seed(0))
    monkeypatch.setattr(transforms, "_RESIZE_CHUNK_BYTES", 5 * 4 * 3 * (81 + 25))  # 5 images per chunk
    expected = F.interpolate(x, size=(5, 5), mode="bilinear", antialias=True, align_corners=False)
    torch.testing.assert_close(resize_images(x, 5), expected)


def test_channel_conversion():
    grey = torch.linspace(-1, 1, 16).view(1, 1, 4, 4)
    rgb = convert_channels(grey, 3)
    assert rgb.shape == (1, 3, 4, 4) and all(torch.equal(rgb[:, c], grey[:, 0]) for c in range(3))
    pixel = torch.tensor([1.0, -1.0, 0.5]).view(1, 3, 1, 1)
    expected = 0.299 * 1.0 + 0.587 * -1.0 + 0.114 * 0.5
    torch.testing.assert_close(convert_channels(pixel, 1), torch.tensor(expected).view(1, 1, 1, 1))
    data = load_dataset("digits", limit=3, channels=3, img_size=16)
    assert data.x.shape == (3, 3, 16, 16) and data.x.is_contiguous()


def test_option_errors_name_the_value():
    with pytest.raises(ConfigError, match="'nope'"):
        load_dataset("nope")
    with pytest.raises(ConfigError, match="'validation'"):
        load_dataset("digits", split="validation")
    with pytest.raises(ConfigError, match="channels must be 1 or 3, got 2"):
        load_dataset("digits", channels=2)
    with pytest.raises(ConfigError, match="img_size"):
        load_dataset("digits", img_size=0)
    with pytest.raises(ConfigError, match="limit"):
        load_dataset("digits", limit=-1)


def test_registry_lists_builtins_and_accepts_a_new_dataset():
    assert {"idx", "fashion-mnist", "mnist", "folder", "npz", "digits", "ring", "grid"} <= set(dataset_names())
    seen = []

    def load_constant(request):
        seen.append(request)
        return ArrayDataset(x=torch.zeros(request.n_points, 3), y=None, num_classes=0, name="zeros", kind="points")

    register_dataset("test-zeros", load_constant)
    data = load_dataset("test-zeros", n_points=4, seed=5, limit=2)
    assert data.x.shape == (2, 3) and seen[0].seed == 5 and seen[0].limit == 2
    assert "test-zeros" in dataset_names()
    with pytest.raises(ValueError, match="already registered"):
        register_dataset("test-zeros", load_constant)
    with pytest.raises(ValueError, match="already registered"):
        register_dataset("digits", load_constant)


def test_array_dataset_checks_its_shapes():
    with pytest.raises(ValueError, match="y has shape"):
        ArrayDataset(x=torch.zeros(3, 2), y=torch.zeros(2, dtype=torch.int64), num_classes=1, name="t", kind="points")
    with pytest.raises(ValueError, match="4 dims"):
        ArrayDataset(x=torch.zeros(3, 2), y=None, num_classes=0, name="t", kind="image")
