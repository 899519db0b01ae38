"""Built-in translation tasks: edges2fashion (Canny edges -> garments), colorize (grey -> colour crops of the
bundled photos) and sneaker2boot (two Fashion-MNIST classes, unpaired)."""

import pytest
import torch
from scipy import ndimage

from gankit.assets import locate
from gankit.data import PairedDataset, UnpairedDataset, convert_channels, load_dataset
from gankit.data.colorize import TEST_CROPS, TEST_PHOTOS, TRAIN_PHOTOS, photo_crops
from gankit.data.edges import edge_maps
from gankit.errors import ConfigError

needs_fashion = pytest.mark.skipif(
    locate("fashion-mnist") is None, reason="gankit assets install fashion-mnist to run this test"
)


def _square(size: int = 32, lo: int = 8, hi: int = 24) -> torch.Tensor:
    """A white square on black: rows and columns lo..hi-1 are +1, the rest -1."""
    x = -torch.ones(1, 1, size, size)
    x[..., lo:hi, lo:hi] = 1.0
    return x


def test_a_filled_square_gives_a_closed_outline_on_its_border_and_nothing_inside():
    edges = edge_maps(_square())[0, 0] < 0
    rows, cols = torch.meshgrid(torch.arange(32), torch.arange(32), indexing="ij")
    near_border = ((rows >= 7) & (rows <= 24) & (cols >= 7) & (cols <= 24)) \
        & ~((rows >= 9) & (rows <= 22) & (cols >= 9) & (cols <= 22))  # within one pixel of the step
    assert edges.any() and not (edges & ~near_border).any()
    for k in range(9, 23):  # every row and column of the square crosses the outline on both sides
        assert edges[k, 7:9].any() and edges[k, 23:25].any() and edges[7:9, k].any() and edges[23:25, k].any()
    regions, _ = ndimage.label(~edges.numpy())  # 4-connected: a closed outline separates inside from outside
    assert regions[16, 16] != regions[0, 0]


def test_edges_are_deterministic_black_on_white_and_per_image():
    square, blank = _square(), -torch.ones(1, 1, 32, 32)
    batch = torch.cat([square, blank, square])
    edges = edge_maps(batch)
    assert edges.shape == (3, 1, 32, 32) and edges.dtype == torch.float32
    assert set(edges.unique().tolist()) == {-1.0, 1.0}
    assert torch.equal(edges[0], edges[2]) and torch.equal(edges[0], edge_maps(square)[0])  # image alone = in a batch
    assert torch.all(edges[1] == 1.0)  # nothing to outline: all white


def test_a_square_touching_the_frame_keeps_its_outline_there():
    edges = edge_maps(_square(lo=0, hi=16))[0, 0] < 0
    assert edges[0:2, 4:12].any(dim=0).all() and edges[4:12, 0:2].any(dim=1).all()


@needs_fashion
def test_edges2fashion_pairs_train_garments_with_their_edges_and_tests_on_the_test_split():
    data = load_dataset("edges2fashion", limit=40)
    assert isinstance(data, PairedDataset) and data.name == "edges2fashion"
    assert data.source.shape == data.target.shape == (40, 1, 32, 32)
    assert data.test_source.shape == data.test_target.shape == (1000, 1, 32, 32)
    train = load_dataset("fashion-mnist", limit=40, img_size=32)
    test = load_dataset("fashion-mnist", split="test", limit=1000, subset_seed=0, img_size=32)
    assert torch.equal(data.target, train.x) and torch.equal(data.test_target, test.x)
    assert torch.equal(data.source, edge_maps(train.x)) and torch.equal(data.test_source, edge_maps(test.x))
    assert torch.equal(data.test_labels, test.y)
    assert torch.equal(torch.bincount(data.test_labels), torch.full((10,), 100))
    assert data.class_names[7] == "Sneaker"
    share = (data.source < 0).float().mean().item()  # lines, not blobs or nothing
    assert 0.05 < share < 0.35, share
    big = load_dataset("edges2fashion", limit=4, img_size=64, channels=3)
    assert big.source.shape == big.target.shape == (4, 3, 64, 64) and big.test_source.shape == (1000, 3, 64, 64)
    assert torch.equal(big.source[:, 0], big.source[:, 2])


@needs_fashion
def test_sneaker2boot_domains_are_sneakers_and_ankle_boots_from_each_split():
    data = load_dataset("sneaker2boot", limit=30)
    assert isinstance(data, UnpairedDataset) and data.domain_names == ("sneaker", "ankle boot")
    assert data.a.shape == data.b.shape == (30, 1, 32, 32)
    assert data.test_a.shape == data.test_b.shape == (1000, 1, 32, 32)
    for split, a, b in (("train", data.a, data.b), ("test", data.test_a, data.test_b)):
        full = load_dataset("fashion-mnist", split=split, img_size=32)
        torch.testing.assert_close(a, full.x[full.y == 7][: len(a)], atol=1e-5, rtol=0)
        torch.testing.assert_close(b, full.x[full.y == 9][: len(b)], atol=1e-5, rtol=0)
    assert data.class_names == ("Sneaker", "Ankle boot")


def test_colorize_source_is_the_luma_of_the_colour_target():
    data = load_dataset("colorize", limit=24, img_size=32)
    assert data.source.shape == (24, 1, 32, 32) and data.target.shape == (24, 3, 32, 32)
    assert data.test_source.shape == (TEST_CROPS, 1, 32, 32)
    assert data.target.min() >= -1 and data.target.max() <= 1
    for source, target in ((data.source, data.target), (data.test_source, data.test_target)):
        torch.testing.assert_close(source, convert_channels(target, 1), atol=1e-6, rtol=0)
    assert (data.target - data.source).abs().mean() > 0.05  # the targets are in colour
    assert load_dataset("colorize", limit=4).source.shape == (4, 1, 64, 64)  # 64 px by default
    tiled = load_dataset("colorize", limit=4, channels=3).source  # data.channels=3 tiles the grey source
    assert tiled.shape == (4, 3, 64, 64) and torch.equal(tiled[:, 0], tiled[:, 2])


def test_colorize_crops_are_seeded_and_the_test_photos_are_held_out_whole():
    assert not set(TRAIN_PHOTOS) & set(TEST_PHOTOS)
    assert {"motorcycle_left", "motorcycle_right"} <= set(TRAIN_PHOTOS)  # a stereo pair stays on one side
    one, again, other = (load_dataset("colorize", limit=8, img_size=32, seed=seed) for seed in (1, 1, 2))
    assert torch.equal(one.target, again.target) and not torch.equal(one.target, other.target)
    assert torch.equal(one.test_target, other.test_target)  # every run is scored on the same crops
    assert torch.equal(one.test_target, photo_crops(TEST_PHOTOS, TEST_CROPS, 32, 0))
    assert torch.equal(one.target, photo_crops(TRAIN_PHOTOS, 8, 32, 1))


def test_colorize_refuses_grey_targets():
    with pytest.raises(ConfigError, match=r"^the colorize dataset translates grey to colour: data.channels"):
        load_dataset("colorize", limit=2, channels=1)
