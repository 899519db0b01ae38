"""The data stream maps uint8 images to [-1, 1] one batch at a time, giving the numbers a float dataset gives."""

import torch

from gankit.data.transforms import uint8_to_signed
from gankit.training.data_stream import DataStream


def _streams(channels_last):
    pixels = torch.randint(0, 256, (50, 3, 8, 8), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    labels = torch.arange(50) % 5
    options = dict(seed=3, device=torch.device("cpu"), channels_last=channels_last)
    return (DataStream({"s": {"x": pixels, "y": labels}}, 16, **options),
            DataStream({"s": {"x": uint8_to_signed(pixels), "y": labels}}, 16, **options),
            pixels)


def test_uint8_batches_equal_float_batches_bit_for_bit():
    for channels_last in (False, True):
        held, converted, _ = _streams(channels_last)
        for _ in range(7):  # past an epoch boundary (3 batches of 16 per epoch)
            a, b = held.next(), converted.next()
            assert a.x.dtype == torch.float32 and torch.equal(a.x, b.x) and torch.equal(a.y, b.y)
            assert a.x.is_contiguous(memory_format=torch.channels_last) == channels_last
        assert held.state_dict() == converted.state_dict()
    assert held.groups["s"].fields["x"].dtype == torch.uint8  # the whole dataset stays uint8


def test_samples_are_floats_in_the_training_range():
    held, converted, pixels = _streams(False)
    index = torch.tensor([4, 0, 49])
    real = held.samples(index)
    assert real.dtype == torch.float32 and torch.equal(real, converted.samples(index))
    assert real.min() >= -1 and real.max() <= 1 and torch.equal(real, uint8_to_signed(pixels[index]))


def test_fields_of_a_group_are_drawn_together_and_groups_independently():
    n = torch.arange(40)
    stream = DataStream({"pairs": {"source": n.clone(), "target": n * 10}, "b": {"b": torch.arange(100, 124)}}, 8,
                        seed=1, device=torch.device("cpu"))
    assert stream.field_names == ("source", "target", "b")
    seen_b = []
    for _ in range(9):  # 5 batches per epoch of the pairs, 3 of b: both cross their epoch boundaries
        batch = stream.next()
        assert torch.equal(batch["target"], batch["source"] * 10)
        seen_b.append(batch["b"])
    first_epoch_b = torch.cat(seen_b[:3]).sort().values
    assert torch.equal(first_epoch_b, torch.arange(100, 124))  # an epoch of b sees every b once
    assert stream.state_dict() == {"groups": {"pairs": {"epoch": 1, "position": 32}, "b": {"epoch": 2, "position": 24}}}


def test_a_restored_stream_continues_exactly():
    def make():
        return DataStream({"a": {"a": torch.arange(30)}, "b": {"b": torch.arange(50)}}, 4, seed=2,
                          device=torch.device("cpu"))

    unbroken, first = make(), make()
    for _ in range(11):
        first.next()
    resumed = make()
    resumed.load_state_dict(first.state_dict())
    for _ in range(11):
        unbroken.next()
    for _ in range(10):
        a, b = unbroken.next(), resumed.next()
        assert torch.equal(a["a"], b["a"]) and torch.equal(a["b"], b["b"])


def test_a_single_group_keeps_the_state_format_of_earlier_versions():
    stream = DataStream({"samples": {"x": torch.zeros(20, 2)}}, 5, seed=0, device=torch.device("cpu"))
    stream.next()
    assert stream.state_dict() == {"epoch": 0, "position": 5}


def test_a_stream_given_the_game_needs_draws_only_their_groups_with_the_same_seeds():
    groups = {"draws": {"row": torch.arange(40)}, "records": {"record": torch.arange(100, 140)}}
    full = DataStream(groups, 8, seed=3, device=torch.device("cpu"))
    only = DataStream(groups, 8, seed=3, device=torch.device("cpu"), needs=("record",))
    assert only.field_names == ("record",)
    for _ in range(7):  # the kept group keeps its seed (its number among all groups): the same records
        assert torch.equal(only.next()["record"], full.next()["record"])
    assert only.state_dict() == full.state_dict()["groups"]["records"]
