"""Projection of real images into a generator's latent space by optimization ("GAN inversion").

Find the latent whose image is closest to a target: minimize a reconstruction loss L(G(latent), target) over the
latent with Adam, the generator held fixed (Zhu et al. 2016, "Generative Visual Manipulation on the Natural Image
Manifold", §3; Abdal et al. 2019, Image2StyleGAN; the projector of StyleGAN2, Karras et al. 2020, §5):

- noise-to-image generators are searched in z, starting from the best of `starts` random codes N(0, I)
  (Lipton & Tripathi 2017 restart from several codes for the same reason: the loss is not convex in z);
- style-based generators (`G.mapping`, `G.synthesis`, `G.num_ws`, buffer `G.w_avg`) are searched in w, starting
  from the mean w_avg as the StyleGAN2 projector does, one w broadcast to every layer.

The learning rate follows a cosine from `lr` down to 0 over `steps`; the best latent seen for each image is kept.
The loss is per image (a tensor of N values): `pixel_mse` by default, `perceptual_loss` adds a VGG16 feature term
(the frozen network of asset ``vgg16``, `gankit.models.vgg16`), and any callable (reconstruction, target) -> (N,)
fits, e.g. a masked MSE for inpainting; the final per-image loss is an anomaly score (AnoGAN, Schlegl et al. 2017).
Images are optimized together but independently: the loss is summed over them and Adam is per parameter.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from gankit.metrics.ppl import feature_distance, upscaled
from gankit.sampling.interpolate import is_style_generator

__all__ = ["LossFn", "Projection", "perceptual_loss", "pixel_mse", "project"]

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # (reconstruction, target) -> per-image loss (N,)


@dataclass
class Projection:
    """The found latents (N, *latent_shape) in z, or (N, w_dim) in w; their images (N, C, H, W); the mean loss of
    each step; and each image's final loss (N,), the loss of its kept (best) latent."""

    latent: torch.Tensor
    space: str  # "z" or "w"
    reconstruction: torch.Tensor
    losses: list[float] = field(default_factory=list)
    final: torch.Tensor | None = None


def pixel_mse(reconstruction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared pixel error of each image: mean over (C, H, W) of (x − t)², shape (N,)."""
    return (reconstruction - target).pow(2).flatten(1).mean(1)


def perceptual_loss(weight: float = 1.0, taps: int = 3, net: nn.Module | None = None) -> LossFn:
    """Pixel MSE plus `weight` × a VGG16 feature distance, per image.

    The distance (`gankit.metrics.ppl.feature_distance`) follows LPIPS (Zhang et al. 2018) without its learned
    weights: at each of the first `taps` taps (relu1_1 ...) the features are scaled to unit length along the
    channels, and the squared differences are summed over channels, averaged over positions and summed over taps,
    so identical images score 0 and every tap counts alike. Images smaller than 64 px are scaled up (bilinear)
    first (`gankit.metrics.ppl.upscaled`), so the deeper taps keep a few positions.
    `net` defaults to the frozen VGG16 of asset ``vgg16`` (`MissingAssetError` naming its install if absent).
    """
    if net is None:
        from gankit.models.vgg16 import load_vgg16

        net = load_vgg16(taps)

    def loss(reconstruction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        vgg = net.to(reconstruction.device)
        with torch.no_grad():
            target_features = vgg(upscaled(target))
        return pixel_mse(reconstruction, target) + weight * feature_distance(vgg(upscaled(reconstruction)),
                                                                             target_features)

    return loss


def project(generator: nn.Module | Callable[[torch.Tensor], torch.Tensor], target: torch.Tensor, *,
            steps: int = 300, lr: float = 0.05, loss: LossFn = pixel_mse,
            latent_shape: tuple[int, ...] | None = None, labels: torch.Tensor | None = None, starts: int = 64,
            seed: int = 0, chunk: int = 256) -> Projection:
    """Project `target` images (N, C, H, W) in [-1, 1] into the latent space of `generator`.

    `generator` is a style-based module (searched in w from `w_avg`, or with `labels` (one per target) from the
    mean w of their class) or any callable
    z -> images (searched in z of shape `latent_shape`, from the best of `starts` codes drawn from `seed`; close
    over labels yourself). `steps` Adam steps at learning rate `lr` (cosine decay to 0); `loss` gives each image's
    loss. Returns the best latent of each image, its reconstruction and the loss history (`Projection`).
    """
    if steps < 0:
        raise ValueError(f"steps must be at least 0, got {steps}")
    target = target.detach()
    if is_style_generator(generator):
        synthesis = generator.synthesis
        num_ws = int(generator.num_ws)

        def render(w: torch.Tensor) -> torch.Tensor:
            return synthesis(w.unsqueeze(1).repeat(1, num_ws, 1), noise_mode="const")

        initial = _w_start(generator, target, labels, seed)
        space = "w"
    else:
        if latent_shape is None:
            raise ValueError("projection into z needs the generator's latent_shape")
        render = generator
        initial = _best_start(generator, target, loss, tuple(latent_shape), starts, seed, chunk)
        space = "z"
    latent, reconstruction, history, final = optimize_latent(render, initial, target, steps=steps, lr=lr, loss=loss)
    return Projection(latent, space, reconstruction, history, final)


def optimize_latent(render: Callable[[torch.Tensor], torch.Tensor], initial: torch.Tensor, target: torch.Tensor, *,
                    steps: int, lr: float, loss: LossFn) -> tuple[torch.Tensor, torch.Tensor, list[float], torch.Tensor]:
    """Adam on the latents (one row per target) with a cosine-decayed rate; returns (best latents, their images,
    mean loss per step, best loss per image). Step 0's loss is that of `initial`."""
    latent = initial.detach().clone().requires_grad_(True)
    optimizer = torch.optim.Adam([latent], lr=lr, betas=(0.9, 0.999))
    best = initial.detach().clone()
    best_loss = torch.full((len(target),), math.inf, device=target.device)
    history: list[float] = []
    for step in range(steps + 1):
        with torch.enable_grad():
            per_image = loss(render(latent), target)
        with torch.no_grad():
            improved = per_image.detach() < best_loss
            best[improved] = latent.detach()[improved]
            best_loss = torch.where(improved, per_image.detach(), best_loss)
        history.append(float(per_image.detach().mean()))
        if step == steps:
            break
        for group in optimizer.param_groups:
            group["lr"] = lr * 0.5 * (1.0 + math.cos(math.pi * step / steps))
        optimizer.zero_grad(set_to_none=True)
        per_image.sum().backward()
        optimizer.step()
    with torch.no_grad():
        reconstruction = render(best)
    return best, reconstruction.detach(), history, best_loss


@torch.no_grad()
def _w_start(generator: nn.Module, target: torch.Tensor, labels: torch.Tensor | None, seed: int) -> torch.Tensor:
    """w_avg for each target; with labels, the mean w of 1,000 codes of that class (StyleGAN2's projector also
    starts from the mean w, estimated from 10,000 codes)."""
    if labels is None:
        return generator.w_avg.detach().to(target.device).reshape(1, -1).repeat(len(target), 1)
    z_dim = int(getattr(generator, "z_dim", getattr(generator.mapping, "z_dim", generator.w_avg.shape[-1])))
    codes = torch.randn(1000, z_dim, generator=torch.Generator(device=target.device).manual_seed(seed),
                        device=target.device)
    return torch.stack([generator.mapping(codes, y.expand(len(codes))).mean(0) for y in labels.expand(len(target))])


@torch.no_grad()
def _best_start(render: Callable[[torch.Tensor], torch.Tensor], target: torch.Tensor, loss: LossFn,
                latent_shape: tuple[int, ...], starts: int, seed: int, chunk: int) -> torch.Tensor:
    """For each target, the code of `starts` N(0, I) draws (from `seed`) whose image it is closest to by `loss`."""
    generator = torch.Generator(device=target.device).manual_seed(seed)
    codes = torch.randn((max(1, starts), *latent_shape), generator=generator, device=target.device)
    images = torch.cat([render(codes[i:i + chunk]) for i in range(0, len(codes), chunk)])
    chosen = []
    for t in target:
        scores = torch.cat([loss(images[i:i + chunk], t.expand_as(images[i:i + chunk]))
                            for i in range(0, len(images), chunk)])
        chosen.append(codes[int(scores.argmin())])
    return torch.stack(chosen)
