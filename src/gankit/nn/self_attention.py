"""Self-attention for convolutional feature maps (Zhang, Goodfellow, Metaxas & Odena 2019,
"Self-Attention Generative Adversarial Networks", §3)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ["SelfAttention2d"]


class SelfAttention2d(nn.Module):
    """SAGAN attention block: y = x + γ·o, with γ a learned scalar initialised at 0.

    With 1×1 convolutions f, g, h (C → C̄ = C / ``reduction`` channels; the paper's k = 8) and v (C̄ → C), over
    the N = H·W positions (SAGAN eq. 1–3):

        s_ij = f(x_i)ᵀ g(x_j)
        β_{j,i} = exp(s_ij) / Σ_i exp(s_ij)          how much position j attends to position i
        o_j = v( Σ_i β_{j,i} h(x_i) )

    Because γ starts at 0 the block is the identity at initialisation, and the network learns to
    lean on non-local evidence gradually (SAGAN §3).
    """

    def __init__(self, channels: int, reduction: int = 8) -> None:
        super().__init__()
        inner = max(1, channels // reduction)
        self.channels = channels
        self.key = nn.Conv2d(channels, inner, kernel_size=1, bias=False)  # f: the attended positions i
        self.query = nn.Conv2d(channels, inner, kernel_size=1, bias=False)  # g: the attending position j
        self.value = nn.Conv2d(channels, inner, kernel_size=1, bias=False)  # h
        self.out = nn.Conv2d(inner, channels, kernel_size=1, bias=False)  # v
        self.gamma = nn.Parameter(torch.zeros(()))

    def attention(self, x: Tensor) -> Tensor:
        """The attention map β of shape (N, H·W, H·W); row j sums to 1 over the attended positions i."""
        f = self.key(x).flatten(2)  # [N, C̄, HW(i)]
        g = self.query(x).flatten(2)  # [N, C̄, HW(j)]
        return torch.softmax(torch.bmm(g.transpose(1, 2), f), dim=-1)  # [N, HW(j), HW(i)]

    def forward(self, x: Tensor) -> Tensor:
        n, c, h, w = x.shape
        beta = self.attention(x)
        values = self.value(x).flatten(2)  # [N, C̄, HW(i)]
        o = torch.bmm(values, beta.transpose(1, 2)).reshape(n, -1, h, w)  # [N, C̄, H, W]: Σ_i β_{j,i} h(x_i)
        return x + self.gamma * self.out(o)

    def extra_repr(self) -> str:
        return f"channels={self.channels}"
