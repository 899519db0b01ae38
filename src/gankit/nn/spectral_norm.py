"""Spectral normalization of every weight layer in a network (Miyato et al. 2018, "Spectral
Normalization for Generative Adversarial Networks")."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils import parametrize
from torch.nn.utils.parametrizations import spectral_norm

__all__ = ["apply_spectral_norm", "power_iteration_", "power_iteration_vectors", "SPECTRAL_NORM_LAYERS"]

#: Layer types whose ``weight`` is spectrally normalized by :func:`apply_spectral_norm`.
SPECTRAL_NORM_LAYERS: tuple[type[nn.Module], ...] = (
    nn.Linear,
    nn.Bilinear,
    nn.Conv1d,
    nn.Conv2d,
    nn.Conv3d,
    nn.ConvTranspose1d,
    nn.ConvTranspose2d,
    nn.ConvTranspose3d,
    nn.Embedding,
)


def apply_spectral_norm(module: nn.Module, *, n_power_iterations: int = 1, eps: float = 1e-12) -> nn.Module:
    """Reparametrize the weight of every linear, convolutional and embedding layer inside ``module``
    (the module itself included) as W / σ(W), and return ``module`` (modified in place).

        W_SN = W / σ(W),   σ(W) = max_{h≠0} ||W h||_2 / ||h||_2   (the largest singular value)

    σ(W) is estimated by power iteration on the weight reshaped to a matrix (``n_power_iterations``
    per forward pass in training mode), which bounds each layer's Lipschitz constant by ≈ 1
    (Miyato et al. 2018). Uses ``torch.nn.utils.parametrizations.spectral_norm``, so the original
    weight lives in ``layer.parametrizations.weight.original`` and state dicts carry the power
    iteration vectors. Layers already parametrized with spectral norm, and layers without a weight,
    are left alone, so calling this twice is harmless.
    """
    targets = [
        layer
        for layer in module.modules()
        if isinstance(layer, SPECTRAL_NORM_LAYERS)
        and getattr(layer, "weight", None) is not None
        and not _has_spectral_norm(layer)
    ]
    for layer in targets:
        spectral_norm(layer, name="weight", n_power_iterations=n_power_iterations, eps=eps)
    return module


def _layer_spectral_norms(layer: nn.Module) -> list[tuple[int, nn.Module]]:
    """(index, torch's spectral-norm parametrization) of each spectral norm on ``layer.weight`` (usually 0 or 1)."""
    if not parametrize.is_parametrized(layer, "weight"):
        return []
    return [(i, p) for i, p in enumerate(layer.parametrizations["weight"]) if type(p).__name__ == "_SpectralNorm"]


def _has_spectral_norm(layer: nn.Module) -> bool:
    return bool(_layer_spectral_norms(layer))


def _spectral_norms(module: nn.Module) -> list[tuple[str, nn.Module, nn.Parameter]]:
    """(qualified name, torch's spectral-norm parametrization, the raw weight) of every normalized weight."""
    return [(f"{name}.parametrizations.weight.{i}".lstrip("."), p, layer.parametrizations["weight"].original)
            for name, layer in module.named_modules() for i, p in _layer_spectral_norms(layer)]


def power_iteration_vectors(module: nn.Module) -> set[str]:
    """Names (as in ``module.named_buffers()``) of the power-iteration vectors u, v of spectral norm in ``module``."""
    return {f"{name}.{vector}" for name, _, _ in _spectral_norms(module) for vector in ("_u", "_v")}


@torch.no_grad()
def power_iteration_(module: nn.Module, iterations: int = 1) -> None:
    """Run ``iterations`` steps of spectral norm's power iteration on every normalized weight W of ``module``,
    u ← Wv/‖Wv‖, v ← Wᵀu/‖Wᵀu‖ (what a forward pass in training mode does), so that σ(W) ≈ uᵀWv holds for
    weights that were set rather than trained, such as an exponential moving average (`gankit.training.ema`).
    """
    for _, norm, weight in _spectral_norms(module):
        if weight.ndim > 1:
            norm._power_method(norm._reshape_weight_to_matrix(weight), iterations)
