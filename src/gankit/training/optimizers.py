"""The optimizers of a game: one Adam per optimizer group (a network alone, or the networks that share one,
as CycleGAN's two generators do), its learning rate chosen by the group's role, and a checkpoint's moments
given the layout of their parameters."""

from __future__ import annotations

import torch

from gankit.config import OptimConfig


def optimizer_groups(game) -> dict[str, list[str]]:
    """Optimizer group -> the networks it steps, in the game's order; a group's networks share one role."""
    groups: dict[str, list[str]] = {}
    for name in game.networks:
        groups.setdefault(game.optimizer_group(name), []).append(name)
    for group, names in groups.items():
        roles = {game.networks[n].role for n in names}
        if len(roles) > 1:
            raise ValueError(f"optimizer group '{group}' mixes roles {sorted(roles)}")
    return groups


def base_lr(optim: OptimConfig, role: str) -> float:
    """``optim.lr_g`` for generators (and encoders that train with them), ``optim.lr_d`` for discriminators."""
    return optim.lr_g if role == "generator" else optim.lr_d


def make_adam(params: list[torch.nn.Parameter], lr: float, optim: OptimConfig, device: torch.device) -> torch.optim.Adam:
    """Adam (Kingma & Ba 2015) with ``optim.beta1, optim.beta2`` and L2 weight decay ``optim.weight_decay``
    (added to each gradient before the moments): the fused kernel (one pass over all parameters) on CPU and
    CUDA, else the foreach one."""
    fused = device.type in ("cpu", "cuda")
    return torch.optim.Adam(params, lr=lr, betas=(optim.beta1, optim.beta2), weight_decay=optim.weight_decay,
                            fused=fused, foreach=not fused)


def match_state_layout(optimizer: torch.optim.Optimizer) -> None:
    """Give every per-parameter state tensor its parameter's memory layout (checkpoints store contiguous
    tensors; a channels_last weight needs channels_last moments, or fused kernels pair the wrong elements)."""
    for group in optimizer.param_groups:
        for param in group["params"]:
            for key, value in optimizer.state.get(param, {}).items():
                if isinstance(value, torch.Tensor) and value.shape == param.shape and value.stride() != param.stride():
                    optimizer.state[param][key] = torch.empty_like(param, dtype=value.dtype).copy_(value)
