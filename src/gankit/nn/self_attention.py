"""Self-attention for convolutional feature maps (Zhang, Goodfellow, Metaxas & Odena 2019,
"Self-Attention Generative Adversarial Networks")."""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ["SelfAttention2d"]


class SelfAttention2d(nn.Module):
    """SAGAN attention block: y = x + γ·o, with γ a learned scalar initialised at 0.

    With 1×1 convolutions f, g (to C / ``reduction`` channels) and h (to C channels), over the
    N = H·W positions:

        β_{j,i} = softmax_i( f(x_i)ᵀ g(x_j) )      how much position j attends to position i
        o_j = v( Σ_i β_{j,i} h(x_i) )               v a final 1×1 convolution

    Because γ starts at 0 the block is the identity at initialisation, and the network learns to
    lean on non-local evidence gradually (SAGAN §4).
    """

    def __init__(self, channels: int, reduction: int = 8) -> None:
        super().__init__()
        inner = max(1, channels // reduction)
        self.channels = channels
        self.query = nn.Conv2d(channels, inner, kernel_size=1, bias=False)
        self.key = nn.Conv2d(channels, inner, kernel_size=1, bias=False)
        self.value = nn.Conv2d(channels, channels, kernel_size=1, bias=False)
        self.out = nn.Conv2d(channels, channels, kernel_size=1, bias=False)
        self.gamma = nn.Parameter(torch.zeros(()))

    def attention(self, x: Tensor) -> Tensor:
        """The attention map β of shape (N, H·W, H·W); row j sums to 1 over the attended positions i."""
        q = self.query(x).flatten(2)  # [N, C', HW]
        k = self.key(x).flatten(2)  # [N, C', HW]
        return torch.softmax(torch.bmm(q.transpose(1, 2), k), dim=-1)  # [N, HW(j), HW(i)]

    def forward(self, x: Tensor) -> Tensor:
        n, c, h, w = x.shape
        beta = self.attention(x)
        v = self.value(x).flatten(2)  # [N, C, HW]
        o = torch.bmm(v, beta.transpose(1, 2)).reshape(n, c, h, w)
        return x + self.gamma * self.out(o)

    def extra_repr(self) -> str:
        return f"channels={self.channels}"
