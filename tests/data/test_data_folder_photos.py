"""Photos in a folder: decoded straight to their target size, held as uint8, memory bounded, class names kept."""

import re
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from photo_helpers import make_photos, photo
from PIL import Image, JpegImagePlugin

from gankit.data import load_dataset, to_signed
from gankit.data.folder import REDUCING_GAP, decode_image


def test_folder_is_held_as_uint8_and_maps_to_the_same_floats(tmp_path):
    root = make_photos(tmp_path / "photos", ["dog", "cat", "coffee"], 2)
    photo((40, 40), 9).save(root / "cat" / "extra.png")  # PNG beside JPEGs, another size
    pixels = load_dataset("folder", root, img_size=32, keep_uint8=True)
    assert pixels.x.dtype == torch.uint8 and pixels.x.shape == (7, 3, 32, 32) and pixels.x.is_contiguous()
    assert pixels.class_names == ("cat", "coffee", "dog") and pixels.y.tolist() == [0, 0, 0, 1, 1, 2, 2]
    floats = load_dataset("folder", root, img_size=32)  # the default contract: float32 in [-1, 1]
    assert floats.x.dtype == torch.float32 and floats.class_names == pixels.class_names
    assert torch.equal(floats.x, to_signed(pixels.x))
    torch.testing.assert_close(to_signed(pixels.x), pixels.x.float() / 255 * 2 - 1, atol=1e-6, rtol=0)


def test_a_large_jpeg_is_decoded_at_a_reduced_scale_close_to_a_full_decode(tmp_path, monkeypatch):
    path = tmp_path / "big.jpg"
    photo((512, 512), 0).save(path, quality=92)
    decoded_sizes = []
    load = JpegImagePlugin.JpegImageFile.load

    def spy(self):
        result = load(self)
        decoded_sizes.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", spy)
    small = torch.from_numpy(decode_image(path, 3, 32)).permute(2, 0, 1).float() / 255 * 2 - 1
    # libjpeg decodes at 1/4 (128 px): the largest reduction that keeps >= REDUCING_GAP * 32 = 96 px
    assert set(decoded_sizes) == {(128, 128)} and REDUCING_GAP == 3
    full = torch.from_numpy(np.asarray(Image.open(path).convert("RGB"), dtype=np.float32)).permute(2, 0, 1)
    reference = F.interpolate(full[None] / 255 * 2 - 1, size=(32, 32), mode="bilinear", antialias=True,
                              align_corners=False)[0]
    difference = (small - reference).abs()
    assert difference.mean() < 0.01 and difference.max() < 0.06, (difference.mean(), difference.max())


def _peak_rss_supported():
    return sys.platform.startswith("linux") and Path("/proc/self/clear_refs").exists()


def _rss(field):
    return int(re.search(rf"{field}:\s+(\d+) kB", Path("/proc/self/status").read_text()).group(1)) * 1024


def test_memory_stays_within_a_few_times_the_final_tensor_and_one_decoded_image(tmp_path):
    root = tmp_path / "photos"
    root.mkdir()
    for i in range(20):
        photo((512, 512), i).save(root / f"{i:02d}.jpg")
    warm = make_photos(tmp_path / "warm", ["a"], 1, size=(512, 512))
    load_dataset("folder", warm, img_size=32, keep_uint8=True)  # first use: lazy imports, kernels
    one_image = 512 * 512 * 3
    final = 20 * 3 * 32 * 32
    budget = 4 * (final + one_image)  # 3.4 MB; decoding all 20 at full size as float32 took 63 MB more

    measure_rss = _peak_rss_supported()
    if measure_rss:
        try:
            Path("/proc/self/clear_refs").write_text("5")  # reset the peak resident set size (Linux >= 4.0)
        except OSError:
            measure_rss = False
    before = _rss("VmRSS") if measure_rss else 0
    tracemalloc.start()
    try:
        data = load_dataset("folder", root, img_size=32, keep_uint8=True)
        _, traced_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert data.x.shape == (20, 3, 32, 32) and data.x.dtype == torch.uint8
    assert traced_peak < budget, f"Python/NumPy allocations peaked at {traced_peak / 2**20:.1f} MiB"
    if measure_rss:  # torch and Pillow buffers are invisible to tracemalloc; the resident set is not
        grown = _rss("VmHWM") - before
        assert grown < budget, f"peak resident set grew by {grown / 2**20:.1f} MiB"


def test_grey_and_sixteen_bit_images_resize_in_uint8(tmp_path):
    array = np.tile(np.linspace(0, 65535, 16, dtype=np.uint16), (16, 1))
    Image.fromarray(array).save(tmp_path / "deep.png")
    Image.fromarray((array // 257).astype(np.uint8)).save(tmp_path / "flat.png")
    data = load_dataset("folder", tmp_path, img_size=8, keep_uint8=True)
    assert data.x.shape == (2, 1, 8, 8) and data.x.dtype == torch.uint8
    assert (data.x[0].int() - data.x[1].int()).abs().max() <= 1  # 16-bit scaled by 255/65535, then resized


@pytest.mark.parametrize("size", [(64, 32), (20, 50)])
def test_non_square_photos_are_stretched_to_the_square(tmp_path, size):
    photo(size, 0).save(tmp_path / "wide.jpg")
    data = load_dataset("folder", tmp_path, img_size=16, keep_uint8=True)
    assert data.x.shape == (1, 3, 16, 16)
