"""The networks of medGAN (Choi et al. 2017, "Generating Multi-label Discrete Patient Records using Generative
Adversarial Networks", MLHC; §3 and appendix; restated from the paper, no code copied).

Autoencoder (pretrained, then its decoder fine-tuned with G): for a record x of ``d`` codes,

    Enc(x) = tanh(W_e x + b_e) ∈ (-1, 1)^h,     Dec(c) = act(W_d c + b_d)

with ``act`` the sigmoid on a binary column and ReLU on a count column (the paper's two data types, here per
column). Generator in the code space, h-wide layers with shortcut connections (He et al. 2016) and batch
normalization:

    c_0 = z ∈ R^h,   c_i = c_{i-1} + ReLU(BN(W_i c_{i-1}))  (i < k),   c_k = c_{k-1} + tanh(BN(W_k c_{k-1}))

and the synthetic record is Dec(c_k). Discriminator with minibatch averaging (`gankit.nn.minibatch_averaging`):

    D(x) = W_out ReLU(... ReLU(W_1 (x ⊕ x̄)))      (a logit; the paper's sigmoid lives in the loss)
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.nn.minibatch_averaging import minibatch_averaging


class MedGANEncoder(nn.Module):
    """Enc: ``(N, d)`` records -> ``(N, code_dim)`` codes in (-1, 1)."""

    def __init__(self, in_dim: int, code_dim: int = 128) -> None:
        super().__init__()
        self.fc = nn.Linear(in_dim, code_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.fc(x))


class MedGANDecoder(nn.Module):
    """Dec: codes -> records; ``binary`` marks the columns with a sigmoid (the others, counts, get ReLU)."""

    def __init__(self, code_dim: int, binary: list[bool]) -> None:
        super().__init__()
        self.fc = nn.Linear(code_dim, len(binary))
        self.register_buffer("binary", torch.tensor(binary, dtype=torch.bool), persistent=False)

    def raw(self, code: torch.Tensor) -> torch.Tensor:
        """The pre-activations: logits of the binary columns, counts before ReLU."""
        return self.fc(code)

    def activate(self, raw: torch.Tensor) -> torch.Tensor:
        return torch.where(self.binary, torch.sigmoid(raw), torch.relu(raw))

    def forward(self, code: torch.Tensor) -> torch.Tensor:
        return self.activate(self.raw(code))


class MedGANGenerator(nn.Module):
    """G: z ``(N, code_dim)`` -> shortcut layers in the code space -> Dec -> records ``(N, d)``.

    Holds the decoder, so the network that samples is one module (and is saved as one): the pretraining
    stage trains ``decoder`` with the encoder, the adversarial stage trains ``layers`` and ``decoder`` together.
    """

    def __init__(self, decoder: MedGANDecoder, code_dim: int = 128, layers: int = 2) -> None:
        super().__init__()
        self.z_dim = code_dim
        self.decoder = decoder
        self.fcs = nn.ModuleList(nn.Linear(code_dim, code_dim, bias=False) for _ in range(layers))
        self.norms = nn.ModuleList(nn.BatchNorm1d(code_dim) for _ in range(layers))

    def code(self, z: torch.Tensor) -> torch.Tensor:
        """The generated point of the code space (c_k of the module docstring)."""
        h = z
        for i, (fc, norm) in enumerate(zip(self.fcs, self.norms)):
            act = torch.tanh if i == len(self.fcs) - 1 else torch.relu
            h = h + act(norm(fc(h)))
        return h

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.code(z))


class MinibatchAveragingDiscriminator(nn.Module):
    """D: records ``(N, d)`` -> logits ``(N,)``, each record judged beside its batch's mean."""

    def __init__(self, in_dim: int, widths: tuple[int, ...] = (256, 128)) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        size = 2 * in_dim
        for width in widths:
            layers += [nn.Linear(size, width), nn.ReLU()]
            size = width
        layers.append(nn.Linear(size, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(minibatch_averaging(x)).squeeze(1)
