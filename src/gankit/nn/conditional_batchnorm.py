"""Class-conditional batch normalization (de Vries et al. 2017, "Modulating early visual processing
by language"; Dumoulin et al. 2017; as used in Miyato & Koyama 2018, "cGANs with Projection
Discriminator", and BigGAN)."""

from __future__ import annotations

from torch import Tensor, nn

__all__ = ["ConditionalBatchNorm2d", "LinearConditionalBatchNorm2d"]


class ConditionalBatchNorm2d(nn.Module):
    """Batch normalization whose gain and bias are looked up per class:

        y = γ_c · (x - μ_B) / sqrt(σ_B² + ε) + β_c,   c = the sample's label

    μ_B, σ_B² are the usual batch statistics (running averages in eval mode); γ, β are rows of two
    ``num_classes × num_features`` embeddings initialised to 1 and 0, so at initialisation the layer
    equals an ordinary ``BatchNorm2d``. ``forward(x, labels)`` with ``labels`` of shape (N,) (long).
    """

    def __init__(self, num_features: int, num_classes: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        super().__init__()
        self.num_features = num_features
        self.num_classes = num_classes
        self.bn = nn.BatchNorm2d(num_features, eps=eps, momentum=momentum, affine=False)
        self.gain = nn.Embedding(num_classes, num_features)
        self.bias = nn.Embedding(num_classes, num_features)
        nn.init.ones_(self.gain.weight)
        nn.init.zeros_(self.bias.weight)

    def forward(self, x: Tensor, labels: Tensor) -> Tensor:
        if labels.shape != (x.shape[0],):
            raise ValueError(f"labels must have shape ({x.shape[0]},), got {tuple(labels.shape)}")
        gamma = self.gain(labels).unsqueeze(-1).unsqueeze(-1)
        beta = self.bias(labels).unsqueeze(-1).unsqueeze(-1)
        return gamma * self.bn(x) + beta

    def extra_repr(self) -> str:
        return f"num_features={self.num_features}, num_classes={self.num_classes}"


class LinearConditionalBatchNorm2d(nn.Module):
    """Batch normalization whose gain and bias are linear in a conditioning vector c (BigGAN, Brock et al. 2019,
    §3 and Appendix B: c is the shared class embedding concatenated with the generator block's chunk of z):

        y = (1 + W_γ c) · (x - μ_B) / sqrt(σ_B² + ε) + W_β c

    W_γ, W_β start at zero, so at initialisation the layer equals an ordinary ``BatchNorm2d`` (as
    `ConditionalBatchNorm2d` does). ``forward(x, c)`` with ``c`` of shape (N, cond_dim).
    """

    def __init__(self, num_features: int, cond_dim: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        super().__init__()
        self.num_features, self.cond_dim = num_features, cond_dim
        self.bn = nn.BatchNorm2d(num_features, eps=eps, momentum=momentum, affine=False)
        self.gain = nn.Linear(cond_dim, num_features, bias=False)
        self.bias = nn.Linear(cond_dim, num_features, bias=False)
        nn.init.zeros_(self.gain.weight)
        nn.init.zeros_(self.bias.weight)

    def forward(self, x: Tensor, cond: Tensor) -> Tensor:
        if cond.shape != (x.shape[0], self.cond_dim):
            raise ValueError(f"cond must have shape ({x.shape[0]}, {self.cond_dim}), got {tuple(cond.shape)}")
        gamma = 1 + self.gain(cond)[:, :, None, None]
        beta = self.bias(cond)[:, :, None, None]
        return gamma * self.bn(x) + beta

    def extra_repr(self) -> str:
        return f"num_features={self.num_features}, cond_dim={self.cond_dim}"
