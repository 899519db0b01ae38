import pytest
import torch

from gankit.nn import pack


def test_images_are_concatenated_on_channels_in_order():
    x = torch.randn(6, 3, 4, 4)
    packed = pack(x, 2)
    assert packed.shape == (3, 6, 4, 4)
    for k in range(3):
        assert torch.equal(packed[k, :3], x[2 * k])
        assert torch.equal(packed[k, 3:], x[2 * k + 1])


def test_vectors_are_concatenated_on_features():
    x = torch.arange(12.0).reshape(6, 2)
    packed = pack(x, 3)
    assert packed.shape == (2, 6)
    assert packed[0].tolist() == [0, 1, 2, 3, 4, 5]
    assert packed[1].tolist() == [6, 7, 8, 9, 10, 11]


def test_identity_for_m_one_and_errors():
    x = torch.randn(5, 2)
    assert torch.equal(pack(x, 1), x)
    with pytest.raises(ValueError, match="not divisible"):
        pack(x, 2)
    with pytest.raises(ValueError):
        pack(x, 0)


def test_packed_discriminator_input_keeps_gradients():
    x = torch.randn(4, 1, 2, 2, requires_grad=True)
    (pack(x, 2) * 2).sum().backward()
    assert torch.equal(x.grad, torch.full_like(x, 2.0))
