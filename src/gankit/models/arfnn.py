"""The AR-FNN networks of the SigCWGAN benchmark (Ni et al. 2020, arXiv:2006.05421, §5 and appendix; restated
from its description, no code copied): a residual MLP steps a series forward from its last ``p`` values and a
fresh noise vector, rolled out autoregressively; a residual MLP critic judges a whole window.

Residual MLP with widths h_1..h_k (the benchmark: three blocks of 50, PReLU):

    a_0 = input,   a_i = PReLU(W_i a_{i-1} + b_i) + (a_{i-1} if dim a_{i-1} = h_i else 0),   out = W a_k + b

Generator step:  x̂_{t+1} = f([z_t, x_{t-p+1}, ..., x_t]),  z_t ~ N(0, I) fresh at each step; the window then
slides by one (oldest value out, x̂_{t+1} in), so a path of any length is drawn from one history.

With ``vol_head`` (gankit's addition for returns, in the spirit of GARCH's σ_t z_t) the step is scaled by a
volatility the window sets: x̂_{t+1} = f([z_t, w]) · exp(3 tanh(g([w, |w|]) / 3)), w the window and g a second
residual MLP whose last layer starts at zero (training starts from the plain AR-FNN): a piecewise-linear f alone
must build the product of noise and recent |x| that volatility clustering is from many PReLU pieces. With
``bound`` B > 0 each step is squashed to B tanh(x̂ / B), so a roll-out thousands of steps long, far beyond the
q steps trained on, cannot run away through its own feedback (B = 0: no bound).
"""

from __future__ import annotations

import torch
from torch import nn


class ResidualMLP(nn.Module):
    """``in_dim`` -> ``blocks`` blocks Linear + PReLU of ``width`` (identity skip where the sizes agree) -> Linear."""

    def __init__(self, in_dim: int, out_dim: int, width: int = 50, blocks: int = 3) -> None:
        super().__init__()
        if min(in_dim, out_dim, width, blocks) < 1:
            raise ValueError(f"sizes must be positive, got in {in_dim}, out {out_dim}, width {width}, blocks {blocks}")
        sizes = [in_dim] + [width] * blocks
        self.blocks = nn.ModuleList(nn.Sequential(nn.Linear(a, b), nn.PReLU()) for a, b in zip(sizes, sizes[1:]))
        self.skips = [a == b for a, b in zip(sizes, sizes[1:])]
        self.out = nn.Linear(width, out_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block, skip in zip(self.blocks, self.skips):
            x = block(x) + x if skip else block(x)
        return self.out(x)


class ARFNNGenerator(nn.Module):
    """Next value of a ``dim``-dimensional series from its last ``history`` values and ``z_dim`` noise.

    ``forward(history (N, >= p, dim), noise (N, steps, z_dim))`` -> ``(N, steps, dim)``: the autoregressive
    roll-out of module docstring (only the last ``p`` values of a longer history are read).
    """

    def __init__(self, dim: int, history: int, z_dim: int | None = None, width: int = 50, blocks: int = 3,
                 vol_head: bool = False, bound: float = 0.0) -> None:
        super().__init__()
        self.bound = bound
        self.dim, self.history, self.z_dim = dim, history, z_dim or dim
        self.net = ResidualMLP(self.z_dim + history * dim, dim, width, blocks)
        self.vol = ResidualMLP(2 * history * dim, dim, width, 2) if vol_head else None
        if self.vol is not None:
            nn.init.zeros_(self.vol.out.weight)
            nn.init.zeros_(self.vol.out.bias)

    def step(self, window: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """x̂_{t+1} ``(N, dim)`` from the window ``(N, p, dim)`` and noise ``(N, z_dim)``."""
        w = window.flatten(1)
        out = self.net(torch.cat([z, w], dim=1))
        if self.vol is not None:
            out = out * torch.exp(3 * torch.tanh(self.vol(torch.cat([w, w.abs()], dim=1)) / 3))
        if self.bound > 0:
            out = self.bound * torch.tanh(out / self.bound)
        return out

    def forward(self, history: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        if history.dim() != 3 or history.shape[1] < self.history or history.shape[2] != self.dim:
            raise ValueError(f"history must be (N, >= {self.history}, {self.dim}), got {tuple(history.shape)}")
        window = history[:, -self.history :]
        if noise.shape[1] == 0:
            return history.new_zeros((len(history), 0, self.dim))
        out = []
        for t in range(noise.shape[1]):
            nxt = self.step(window, noise[:, t])
            out.append(nxt)
            window = torch.cat([window[:, 1:], nxt[:, None]], dim=1)
        return torch.stack(out, dim=1)


class WindowCritic(nn.Module):
    """Score ``(N,)`` of a whole window ``(N, length, dim)``: a residual MLP on the flattened window, and with
    ``abs_features`` on its absolute values too ([x, |x|]: volatility clustering is a pattern of |x|, which a
    critic otherwise has to build from x through its PReLUs)."""

    def __init__(self, dim: int, length: int, width: int = 50, blocks: int = 3, abs_features: bool = False) -> None:
        super().__init__()
        self.abs_features = abs_features
        self.net = ResidualMLP(dim * length * (2 if abs_features else 1), 1, width, blocks)

    def forward(self, window: torch.Tensor) -> torch.Tensor:
        x = window.flatten(1)
        return self.net(torch.cat([x, x.abs()], dim=1) if self.abs_features else x).squeeze(1)
