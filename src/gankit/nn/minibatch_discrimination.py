"""Minibatch discrimination (Salimans et al. 2016, "Improved Techniques for Training GANs", §3.2)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ["MinibatchDiscrimination"]


class MinibatchDiscrimination(nn.Module):
    """Append, to each sample's features, how close it is to the other samples of the batch.

    With a learned tensor T ∈ R^{A×B×C} (A = ``in_features``, B = ``out_features``,
    C = ``kernel_dims``):

        M_i = f(x_i) · T ∈ R^{B×C}
        c_b(x_i, x_j) = exp(-||M_{i,b} - M_{j,b}||_{L1})
        o(x_i)_b = Σ_{j≠i} c_b(x_i, x_j)

    The self term (always exp(0) = 1) is excluded, so o(x_i)_b lies in [0, N-1]: N-1 for a batch
    of identical samples (full collapse), ≈ 0 for samples far apart. The output is
    ``cat([x, o(x)], dim=1)`` of shape ``(N, in_features + out_features)``.
    """

    def __init__(self, in_features: int, out_features: int, kernel_dims: int, init_std: float = 0.1) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.kernel_dims = kernel_dims
        self.T = nn.Parameter(torch.randn(in_features, out_features * kernel_dims) * init_std)

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 2 or x.shape[1] != self.in_features:
            raise ValueError(f"expected input of shape (N, {self.in_features}), got {tuple(x.shape)}")
        m = (x @ self.T).reshape(-1, self.out_features, self.kernel_dims)  # [N, B, C]
        per_kernel = m.transpose(0, 1)  # [B, N, C]
        l1 = torch.cdist(per_kernel, per_kernel, p=1)  # [B, N, N], without materialising [N, N, B, C]
        o = (torch.exp(-l1).sum(dim=2) - 1.0).transpose(0, 1)  # drop the self term exp(0) = 1 -> [N, B]
        return torch.cat([x, o], dim=1)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, kernel_dims={self.kernel_dims}"
