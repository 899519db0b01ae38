"""The perceptual path length of a trained run (`gankit eval RUN --metrics ppl`), formula in `gankit.metrics.ppl`.

Pairs of latent codes (z1, z2) ~ N(0, I) and t ~ U(0, 1) are drawn from the seed; a noise-to-image generator is
walked by slerp in z (the paper's "full" path length), a style-based one (`G.mapping`, `G.synthesis`) linearly in
w = mapping(z) (its "w" path length, constant noise). Labels of a conditional generator are drawn uniformly (or
fixed by `label`), one per pair. Both images of a pair go through the frozen VGG16 of asset ``vgg16`` (up to
relu3_1, images scaled up to 64 px); the distance is LPIPS without its learned weights. The paper uses 100,000
pairs of 1024-px faces (cropped to the face); 1,000 pairs are the default here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from gankit.data.labels import resolve_label
from gankit.metrics.ppl import EPSILON, feature_distance, ppl_summary, upscaled
from gankit.sampling.interpolate import check_image_generator, is_style_generator, slerp_rows
from gankit.sampling.loading import LoadedGenerator, load_generator

__all__ = ["PAIRS", "perceptual_path_length"]

PAIRS = 1_000
TAPS = 3  # relu1_1, relu2_1, relu3_1: deeper taps have one or two positions left at 64 px


@torch.no_grad()
def perceptual_path_length(source: str | Path | LoadedGenerator, *, pairs: int = PAIRS, epsilon: float = EPSILON,
                           seed: int = 0, label: int | str | None = None, batch: int = 50,
                           net: torch.nn.Module | None = None,
                           device: str | torch.device = "cpu") -> tuple[float, dict[str, Any]]:
    """(PPL, its settings) of a run's generator over `pairs` latent pairs (module docstring). `net` maps images in
    [-1, 1] to a list of feature maps (default: the frozen VGG16 of asset vgg16, a `MissingAssetError` if absent)."""
    loaded = source if isinstance(source, LoadedGenerator) else load_generator(source, device=device)
    check_image_generator(loaded, "eval --metrics ppl")
    if net is None:
        from gankit.models.vgg16 import load_vgg16

        net = load_vgg16(TAPS)
    game, module, dev = loaded.game, loaded.module, loaded.device
    net = net.to(dev)
    classes = game.num_classes
    fixed = None if label is None or not classes else resolve_label(label, classes, loaded.data.class_names)
    style = is_style_generator(module)
    generator = torch.Generator(device=dev).manual_seed(seed)
    lengths = []
    for start in range(0, pairs, batch):
        m = min(batch, pairs - start)
        z1 = torch.randn((m, *game.latent_shape()), generator=generator, device=dev)
        z2 = torch.randn((m, *game.latent_shape()), generator=generator, device=dev)
        t = torch.rand(m, generator=generator, device=dev, dtype=torch.float64)
        labels = None
        if classes:
            labels = (torch.full((m,), fixed, device=dev) if fixed is not None
                      else torch.randint(classes, (m,), generator=generator, device=dev))
        if style:
            w1, w2 = module.mapping(z1, labels), module.mapping(z2, labels)
            ends = [w1 + (w2 - w1) * s.to(w1.dtype).reshape(-1, 1) for s in (t, t + epsilon)]
            ws = torch.cat(ends).unsqueeze(1).repeat(1, int(module.num_ws), 1)
            images = module.synthesis(ws, noise_mode="const")
        else:
            codes = torch.cat([slerp_rows(z1, z2, t), slerp_rows(z1, z2, t + epsilon)])
            images = game.generate(module, codes, None if labels is None else torch.cat([labels, labels]))
        features = net(upscaled(images.float()))
        before, after = [f[:m] for f in features], [f[m:] for f in features]
        lengths.append((feature_distance(before, after) / epsilon ** 2).cpu())  # d / ε²
    value = ppl_summary(torch.cat(lengths))
    settings = {"ppl_pairs": pairs, "ppl_epsilon": epsilon, "ppl_space": "w" if style else "z",
                "ppl_distance": f"VGG16 (asset vgg16) relu1_1..relu{TAPS}_1, unweighted LPIPS, images >= 64 px"}
    return value, settings
