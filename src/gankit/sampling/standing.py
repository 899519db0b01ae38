"""Standing statistics: a generator's batch-norm statistics re-estimated for the codes it will be sampled with.

A generator with batch norm (SAGAN, BigGAN, DCGAN) samples in eval mode, normalizing every layer with the
running averages kept during training,

    μ ← (1 − m) μ + m μ_B,   σ² ← (1 − m) σ² + m σ²_B    (m = 0.1, every training forward pass of G).

Those averages describe the live G on untruncated codes z ~ N(0, I). Two ways of sampling break them:

* **truncated codes** (`gankit.sampling.truncation`): with |z_i| ≤ t the first layer's inputs have variance
  1 − 2tφ(t)/(Φ(t) − Φ(−t)) (0.29 at t = 1), so every normalized layer comes out shrunk toward its running mean
  and the images collapse toward one mean image;
* **the EMA of G** (`gankit.training.ema`): its running buffers are an average of the live G's buffers over the
  EMA's horizon, not the statistics of the averaged weights' own activations.

The remedy of Brock, Donahue & Simonyan 2019 (BigGAN; "standing statistics" in the authors' BigGAN-PyTorch,
``accumulate_standing_stats``): reset every batch norm's running mean and variance and set them to the plain
average, over ``batches`` batches of ``batch_size`` codes drawn as sampling draws them (truncated or not, labels
uniform over the classes), of the batch statistics computed in training mode:

    μ = (1/B) Σ_b μ_b,   σ² = (1/B) Σ_b σ²_b    (PyTorch's cumulative average, momentum None).

Only the batch norms run in training mode while they accumulate, so spectral norm's power iteration and every
other layer stay as loaded. Switched on by ``sample.standing_stats`` (the number of batches; 0: off), applied
once per truncation threshold to a loaded generator by `gankit.sampling.draw.draw_samples`.
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.sampling.truncation import truncated_normal

__all__ = ["batch_norms", "standing_statistics", "STANDING_SEED"]

STANDING_SEED = 0  # the codes the statistics are estimated from: fixed, so every sampling seed sees the same G


def batch_norms(module: nn.Module) -> list[nn.modules.batchnorm._BatchNorm]:
    """Every batch-norm layer inside `module` (conditional batch norms hold one each)."""
    return [m for m in module.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]


@torch.no_grad()
def standing_statistics(game, module: nn.Module, batches: int, batch_size: int, *, truncation: float | None = None,
                        seed: int = STANDING_SEED) -> int:
    """Replace the running statistics of every batch norm in `module` by their standing statistics (module
    docstring), drawing codes as ``game.generate`` is sampled: `batches` batches of `batch_size` codes from N(0, I)
    truncated to [-`truncation`, `truncation`] (None: untruncated), labels uniform over ``game.num_classes``.
    Leaves `module` in eval mode; returns the number of batch norms re-estimated (0: nothing to do)."""
    if batches < 1 or batch_size < 2:
        raise ValueError(f"standing statistics need batches >= 1 and batch_size >= 2, got {batches} and {batch_size}")
    norms = batch_norms(module)
    if not norms:
        return 0
    device = next(module.parameters()).device
    generator = torch.Generator(device=device).manual_seed(seed)
    momenta = [norm.momentum for norm in norms]
    module.eval()
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # a cumulative average of the batches' statistics
        norm.train()
    try:
        for _ in range(batches):
            z = truncated_normal((batch_size, *game.latent_shape()), truncation, generator=generator, device=device)
            labels = (torch.randint(game.num_classes, (batch_size,), generator=generator, device=device)
                      if game.num_classes else None)
            game.generate(module, z, labels)
    finally:
        for norm, momentum in zip(norms, momenta):
            norm.momentum = momentum
        module.eval()
    return len(norms)


def prepare_standing(loaded, truncation: float | None) -> None:
    """Give a loaded generator (`gankit.sampling.loading.LoadedGenerator`) the standing statistics of its run's
    ``sample.standing_stats`` batches of ``train.batch_size`` codes truncated at `truncation`, once per threshold;
    nothing when the key is 0."""
    batches = loaded.config.sample.standing_stats
    if batches <= 0 or loaded.standing == (truncation,):
        return
    standing_statistics(loaded.game, loaded.module, batches, loaded.config.train.batch_size, truncation=truncation)
    loaded.standing = (truncation,)
