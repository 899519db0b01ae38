"""A tiny style-based generator (the interface of gankit's style-based families) and a run-like wrapper, so the
w-space paths of interpolation and projection are tested without training a StyleGAN."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import torch
from torch import nn

from gankit.config.schema import SampleConfig
from gankit.games import DataSpec
from gankit.sampling.loading import LoadedGenerator


class FakeStyled(nn.Module):
    """z (4) -> w (4) by a tanh layer; w broadcast to 3 layers -> a 1x4x4 image by a *linear* map of the styles,
    so an image is linear in w (and not in z), and inside [-1, 1]."""

    num_ws, w_dim, z_dim = 3, 4, 4

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.map = nn.Linear(4, 4)
        self.out = nn.Linear(12, 16)
        nn.init.uniform_(self.out.weight, -0.05, 0.05)  # |image| < 12 x 0.05 + |bias| < 1: no pixel is clipped
        self.register_buffer("w_avg", torch.zeros(4))
        with torch.no_grad():
            self.w_avg.copy_(self.mapping(torch.randn(1000, 4)).mean(0))

    def mapping(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return torch.tanh(self.map(z) * 2)

    def synthesis(self, ws: torch.Tensor, noise_mode: str = "random") -> torch.Tensor:
        assert noise_mode == "const" and ws.shape[1:] == (3, 4)
        return self.out(ws.flatten(1)).view(-1, 1, 4, 4)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.synthesis(self.mapping(z, labels).unsqueeze(1).repeat(1, self.num_ws, 1), noise_mode="const")


class Reshape(nn.Module):
    """G(z) = z itself, shown as a (1, side, side) image: z (side²)."""

    def __init__(self, side: int) -> None:
        super().__init__()
        self.side = side
        self.unused = nn.Parameter(torch.zeros(()))  # a device to report

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return z.view(-1, 1, self.side, self.side)


class FakeGame:
    """What sampling asks of a game: generate, latent_shape, num_classes, takes_noise."""

    takes_noise, num_classes = True, 0

    def __init__(self, latent: int = 4) -> None:
        self.latent = latent

    def generate(self, generator, noise, labels=None):
        return generator(noise, labels)

    def latent_shape(self):
        return (self.latent,)


def fake_styled_run() -> LoadedGenerator:
    module = FakeStyled().eval().requires_grad_(False)
    spec = DataSpec("fake", "image", (1, 4, 4))
    config = SimpleNamespace(game="style", sample=SampleConfig())
    return LoadedGenerator(FakeGame(), module, config, spec, 7, Path("run/checkpoints/x"))


def identity_run(side: int = 64) -> LoadedGenerator:
    """A "generator" whose image is its latent code (side² numbers), for path lengths computed by hand."""
    spec = DataSpec("fake", "image", (1, side, side))
    config = SimpleNamespace(game="unconditional", sample=SampleConfig())
    return LoadedGenerator(FakeGame(side * side), Reshape(side).eval(), config, spec, 1, Path("run/checkpoints/x"))
