"""Multi-process data-parallel training with `torchrun` and `torch.distributed` (gloo on CPU, NCCL on GPU).

The approach is StyleGAN2-ADA's: every rank holds full copies of the networks (parameters broadcast from rank
0 at start), computes gradients on its shard of the global batch, and after each phase's backward pass the
gradients of the networks that phase updates are averaged across ranks with one flattened all-reduce. This
is what `DistributedDataParallel` does, without its wrapper, so a phase can freeze some networks and run
others forward without the wrapper's bookkeeping about unused parameters. Rank 0 alone logs and writes.

Batch norm can be synchronized across ranks: on CUDA with `nn.SyncBatchNorm`; on CPU (where PyTorch's
SyncBatchNorm refuses to run) with `CrossRankBatchNorm`, which all-reduces the per-channel sums
differentiably.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn
from torch.distributed.nn.functional import all_reduce as differentiable_all_reduce


@dataclass(frozen=True)
class DistInfo:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def enabled(self) -> bool:
        return self.world_size > 1


def init_distributed(device: torch.device) -> DistInfo:
    """Join the process group when launched by `torchrun` (WORLD_SIZE > 1); a no-op otherwise."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size <= 1:
        return DistInfo()
    if not dist.is_initialized():
        backend = "nccl" if device.type == "cuda" else "gloo"
        dist.init_process_group(backend=backend)
    return DistInfo(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", "0")))


def shutdown_distributed(info: DistInfo) -> None:
    if info.enabled and dist.is_initialized():
        dist.destroy_process_group()


@torch.no_grad()
def broadcast_module(module: nn.Module) -> None:
    """Copy rank 0's parameters and buffers to every rank."""
    for tensor in list(module.parameters()) + list(module.buffers()):
        dist.broadcast(tensor.data, src=0)


@torch.no_grad()
def average_gradients(modules: list[nn.Module], world_size: int) -> None:
    """Average the gradients of `modules` over all ranks with one flattened all-reduce."""
    grads = [p.grad for m in modules for p in m.parameters() if p.grad is not None]
    if not grads:
        return
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat /= world_size
    offset = 0
    for g in grads:
        g.copy_(flat[offset : offset + g.numel()].view_as(g))
        offset += g.numel()


@torch.no_grad()
def mean_across_ranks(value: torch.Tensor, world_size: int) -> torch.Tensor:
    """The mean of a scalar over all ranks (itself when there is one), e.g. so every rank takes one decision."""
    value = value.detach().float().clone()
    if world_size > 1:
        dist.all_reduce(value)
        value /= world_size
    return value


class CrossRankBatchNorm(nn.modules.batchnorm._BatchNorm):
    """Batch norm whose batch statistics are those of the global batch across all ranks (Ioffe & Szegedy 2015).

    y = (x − μ) / sqrt(σ² + ε) · γ + β with μ, σ² over the union of every rank's batch: per-channel sums
    Σx, Σx² and counts are all-reduced with a differentiable all-reduce, so gradients are those of the
    global batch too. Falls back to ordinary batch norm in eval mode or with a single process. Under mixed
    precision the statistics and the output are float32 (the next layer's autocast casts again).
    """

    def _check_input_dim(self, input: torch.Tensor) -> None:
        if input.dim() < 2:
            raise ValueError(f"expected at least 2-D input, got {input.dim()}-D")

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        if not (self.training and dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1):
            return super().forward(input)
        input = input.float()  # statistics in float32 under bfloat16/float16 autocast, as autocast runs batch_norm
        channels = input.shape[1]
        dims = [0] + list(range(2, input.dim()))
        count = torch.tensor([input.numel() / channels], dtype=input.dtype, device=input.device)
        packed = torch.cat([input.sum(dims), (input * input).sum(dims), count])
        packed = differentiable_all_reduce(packed)
        total = packed[-1]
        mean = packed[:channels] / total
        var = (packed[channels : 2 * channels] / total - mean * mean).clamp_min(0)
        if self.track_running_stats:
            with torch.no_grad():
                self.num_batches_tracked.add_(1)
                momentum = self.momentum if self.momentum is not None else 1.0 / float(self.num_batches_tracked)
                unbiased = var * total / (total - 1).clamp_min(1)
                self.running_mean.lerp_(mean.detach(), momentum)
                self.running_var.lerp_(unbiased.detach(), momentum)
        shape = [1, channels] + [1] * (input.dim() - 2)
        out = (input - mean.view(shape)) * torch.rsqrt(var.view(shape) + self.eps)
        if self.affine:
            out = out * self.weight.view(shape) + self.bias.view(shape)
        return out


def convert_sync_batchnorm(module: nn.Module, device: torch.device) -> nn.Module:
    """Replace every BatchNorm layer by its cross-rank twin (SyncBatchNorm on CUDA, CrossRankBatchNorm elsewhere)."""
    if device.type == "cuda":
        return nn.SyncBatchNorm.convert_sync_batchnorm(module)
    if isinstance(module, nn.modules.batchnorm._BatchNorm) and not isinstance(module, CrossRankBatchNorm):
        new = CrossRankBatchNorm(module.num_features, module.eps, module.momentum, module.affine,
                                 module.track_running_stats).to(device)
        new.load_state_dict(module.state_dict())
        return new
    for name, child in module.named_children():
        setattr(module, name, convert_sync_batchnorm(child, device))
    return module
