import pytest
import torch

from gankit.errors import ConfigError
from gankit.nn import diff_augment
from gankit.nn.diffaugment import rand_cutout, rand_translation


def seeded(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_empty_policy_is_identity():
    x = torch.randn(2, 3, 8, 8)
    assert diff_augment(x, "") is x
    assert diff_augment(x, " , ") is x


def test_gradients_flow_to_the_input_for_the_full_policy():
    x = torch.randn(4, 3, 16, 16, requires_grad=True)
    out = diff_augment(x, "color,translation,cutout", generator=seeded())
    assert out.shape == x.shape
    (out**2).sum().backward()
    assert torch.isfinite(x.grad).all()
    assert x.grad.abs().sum() > 0


def test_translation_keeps_shape_and_only_moves_pixels():
    x = torch.arange(1, 1 + 2 * 16 * 16, dtype=torch.float32).reshape(2, 1, 16, 16)  # all values distinct, > 0
    out = rand_translation(x, seeded(1))
    assert out.shape == x.shape
    for k in range(2):
        moved = out[k, 0]
        kept = moved[moved != 0]
        assert set(kept.tolist()) <= set(x[k, 0].flatten().tolist())
        # a shift by (dy, dx) moves pixel (i, j) to (i + dy, j + dx): recover it from one surviving pixel
        value = kept[0].item()
        src = (x[k, 0] == value).nonzero()[0]
        dst = (moved == value).nonzero()[0]
        dy, dx = (dst - src).tolist()
        assert abs(dy) <= 2 and abs(dx) <= 2  # 16 / 8
        expected = torch.zeros(16, 16)
        ys, xs = slice(max(dy, 0), 16 + min(dy, 0)), slice(max(dx, 0), 16 + min(dx, 0))
        ys_src, xs_src = slice(max(-dy, 0), 16 + min(-dy, 0)), slice(max(-dx, 0), 16 + min(-dx, 0))
        expected[ys, xs] = x[k, 0][ys_src, xs_src]
        assert torch.equal(moved, expected)


def test_translation_covers_the_shift_range():
    x = torch.ones(400, 1, 8, 8)
    out = rand_translation(x, seeded(2))  # shifts in {-1, 0, 1}^2
    zero_counts = (out == 0).flatten(1).sum(1)
    assert set(zero_counts.tolist()) == {0, 8, 15}  # no shift, a row or column, a row and a column


def test_cutout_zeros_at_most_a_quarter():
    x = torch.ones(200, 2, 8, 8)
    out = rand_cutout(x, seeded(3))
    zero_fraction = (out == 0).float().mean(dim=(1, 2, 3))
    assert zero_fraction.max().item() == pytest.approx(0.25)
    assert zero_fraction.min().item() > 0
    assert torch.equal(out[:, 0], out[:, 1])  # the same box on every channel


def test_color_changes_values_per_sample_and_is_reproducible():
    x = torch.rand(8, 3, 4, 4)
    a = diff_augment(x, "color", generator=seeded(4))
    b = diff_augment(x, "color", generator=seeded(4))
    c = diff_augment(x, "color", generator=seeded(5))
    assert torch.equal(a, b)
    assert not torch.allclose(a, c)
    assert not torch.allclose(a, x)


def test_unknown_policy_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown DiffAugment policy 'flip'"):
        diff_augment(torch.randn(1, 1, 4, 4), "color,flip")


def test_non_image_input_is_rejected():
    with pytest.raises(ValueError, match="N, C, H, W"):
        diff_augment(torch.randn(4, 2), "color")
