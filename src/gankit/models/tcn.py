"""The temporal convolutional networks of QuantGAN (Wiese, Knobloch, Korn & Kretschmer 2020, "Quant GANs: deep
generation of financial time series", Quantitative Finance 20(9); arXiv:1907.06673, §4 and appendix B, the
"pure TCN"; restated from the paper, no code copied).

A temporal block with dilation d maps a sequence of ``c_in`` channels to ``c_out`` through two dilated causal
convolutions of kernel k, each followed by PReLU, and adds its input (a 1x1 convolution when the widths differ):

    y_t = x_t + PReLU(conv2(PReLU(conv1(x))))_t,      conv_i(x)_t = Σ_{j<k} W_j x_{t - j d} + b

The convolutions are unpadded ("valid"), so a block shortens a sequence by 2 (k - 1) d steps and every output
depends only on inputs at or before it. The network is a first block of kernel 1 (widths only) then blocks of
kernel 2 and dilations 1, 2, 4, ..., 32; its receptive field is

    R = 1 + Σ_blocks 2 (k - 1) d = 1 + 2 (1 + 2 + 4 + 8 + 16 + 32) = 127

and every block's output (cropped to the last steps) is summed as a skip connection into a final 1x1
convolution. Being fully convolutional, it maps a sequence of T + R - 1 steps to T outputs for any T.

- `TCNGenerator`: noise ``(N, T + R - 1, z_dim)`` -> returns ``(N, T, dim)`` (linear output).
- `TCNCritic`: a window ``(N, L, dim)``, L >= R -> one score per window ``(N,)``, the mean of the
  L - R + 1 per-step scores (each judging the R values before it).
"""

from __future__ import annotations

import torch
from torch import nn

QUANTGAN_DILATIONS = (1, 2, 4, 8, 16, 32)


class CausalConv(nn.Module):
    """A dilated causal convolution of kernel k without padding on channel-last sequences ``(N, T, c)`` ->
    ``(N, T - (k - 1) d, c_out)``: y_t = W [x_{t-(k-1)d}, ..., x_{t-d}, x_t] + b, one matrix product over the k
    shifted views side by side (the same map as `torch.nn.Conv1d(c, c_out, k, dilation=d)`, which is much slower
    on CPUs for dilated kernels)."""

    def __init__(self, c_in: int, c_out: int, kernel: int, dilation: int) -> None:
        super().__init__()
        self.kernel, self.dilation = kernel, dilation
        self.linear = nn.Linear(kernel * c_in, c_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        span = (self.kernel - 1) * self.dilation
        length = x.shape[1] - span
        views = [x[:, j * self.dilation : j * self.dilation + length] for j in range(self.kernel)]
        return self.linear(views[0] if self.kernel == 1 else torch.cat(views, dim=2))


class TemporalBlock(nn.Module):
    """Two dilated causal (unpadded) convolutions with PReLU and a residual connection (module docstring), on
    channel-last sequences ``(N, T, c_in)`` -> ``(N, T - 2 (k - 1) d, c_out)``."""

    def __init__(self, c_in: int, c_out: int, kernel: int, dilation: int) -> None:
        super().__init__()
        self.conv1 = CausalConv(c_in, c_out, kernel, dilation)
        self.conv2 = CausalConv(c_out, c_out, kernel, dilation)
        self.act1, self.act2 = nn.PReLU(), nn.PReLU()
        self.shrink = 2 * (kernel - 1) * dilation
        self.residual = nn.Linear(c_in, c_out) if c_in != c_out else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.act2(self.conv2(self.act1(self.conv1(x))))
        skip = x if self.residual is None else self.residual(x)
        return out + skip[:, skip.shape[1] - out.shape[1]:]


class TCN(nn.Module):
    """``(N, T + R - 1, c_in)`` -> ``(N, T, c_out)`` (channel-last): a kernel-1 block, then kernel-2 blocks of the
    given dilations, their outputs summed (skip connections) into a 1x1 convolution (module docstring)."""

    def __init__(self, c_in: int, c_out: int, width: int = 80, dilations: tuple[int, ...] = QUANTGAN_DILATIONS,
                 kernel: int = 2) -> None:
        super().__init__()
        if min(c_in, c_out, width, kernel) < 1 or any(d < 1 for d in dilations):
            raise ValueError(f"sizes must be positive, got in {c_in}, out {c_out}, width {width}, kernel {kernel}, "
                             f"dilations {dilations}")
        self.blocks = nn.ModuleList([TemporalBlock(c_in, width, 1, 1)]
                                    + [TemporalBlock(width, width, kernel, d) for d in dilations])
        self.out = nn.Linear(width, c_out)
        self.receptive_field = 1 + sum(block.shrink for block in self.blocks)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[1] < self.receptive_field:
            raise ValueError(f"a TCN of receptive field {self.receptive_field} needs at least that many steps, "
                             f"got {x.shape[1]}")
        skips = []
        for block in self.blocks:
            x = block(x)
            skips.append(x)
        length = x.shape[1]
        return self.out(sum(s[:, s.shape[1] - length:] for s in skips))


class TCNGenerator(nn.Module):
    """QuantGAN's pure-TCN generator: noise ``(N, T + R - 1, z_dim)`` -> a series ``(N, T, dim)``, any T >= 1."""

    def __init__(self, dim: int = 1, z_dim: int = 3, width: int = 80,
                 dilations: tuple[int, ...] = QUANTGAN_DILATIONS) -> None:
        super().__init__()
        self.dim, self.z_dim = dim, z_dim
        self.tcn = TCN(z_dim, dim, width, dilations)
        self.receptive_field = self.tcn.receptive_field

    def noise_length(self, steps: int) -> int:
        """Noise steps for ``steps`` outputs: steps + R - 1."""
        return steps + self.receptive_field - 1

    def forward(self, noise: torch.Tensor) -> torch.Tensor:
        if noise.dim() != 3 or noise.shape[2] != self.z_dim:
            raise ValueError(f"noise must be (N, steps, {self.z_dim}), got {tuple(noise.shape)}")
        return self.tcn(noise)


class TCNCritic(nn.Module):
    """QuantGAN's TCN discriminator: a window ``(N, L, dim)`` with L >= R -> ``(N,)``, the mean per-step score."""

    def __init__(self, dim: int = 1, width: int = 80, dilations: tuple[int, ...] = QUANTGAN_DILATIONS) -> None:
        super().__init__()
        self.tcn = TCN(dim, 1, width, dilations)
        self.receptive_field = self.tcn.receptive_field

    def forward(self, window: torch.Tensor) -> torch.Tensor:
        return self.tcn(window).mean(dim=(1, 2))
