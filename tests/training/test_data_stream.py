"""The data stream maps uint8 images to [-1, 1] one batch at a time, giving the numbers a float dataset gives."""

import torch

from gankit.data.transforms import uint8_to_signed
from gankit.training.data_stream import DataStream


def _streams(channels_last):
    pixels = torch.randint(0, 256, (50, 3, 8, 8), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    labels = torch.arange(50) % 5
    options = dict(seed=3, device=torch.device("cpu"), channels_last=channels_last)
    return (DataStream(pixels, labels, 16, **options), DataStream(uint8_to_signed(pixels), labels, 16, **options),
            pixels)


def test_uint8_batches_equal_float_batches_bit_for_bit():
    for channels_last in (False, True):
        held, converted, _ = _streams(channels_last)
        for _ in range(7):  # past an epoch boundary (3 batches of 16 per epoch)
            a, b = held.next(), converted.next()
            assert a.x.dtype == torch.float32 and torch.equal(a.x, b.x) and torch.equal(a.y, b.y)
            assert a.x.is_contiguous(memory_format=torch.channels_last) == channels_last
        assert held.state_dict() == converted.state_dict()
    assert held.x.dtype == torch.uint8  # the whole dataset stays uint8


def test_samples_are_floats_in_the_training_range():
    held, converted, pixels = _streams(False)
    index = torch.tensor([4, 0, 49])
    real = held.samples(index)
    assert real.dtype == torch.float32 and torch.equal(real, converted.samples(index))
    assert real.min() >= -1 and real.max() <= 1 and torch.equal(real, uint8_to_signed(pixels[index]))
