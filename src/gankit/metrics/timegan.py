"""TimeGAN's post-hoc scores of generated sequences (Yoon, Jarrett & van der Schaar 2019, NeurIPS, §5; restated
from the paper's description of its metrics, no code copied).

Discriminative score: split the real and the generated windows each at random 80/20; train a one-layer GRU
classifier (``hidden`` units, a linear logit from its last state) to tell them apart on the 80 % parts (Adam,
``iterations`` batches of ``batch`` real + ``batch`` generated windows, binary cross-entropy); score

    |accuracy on the two 20 % parts (threshold 0.5) - 0.5|              (0: indistinguishable; 0.5: fully apart)

Predictive score (train on synthetic, test on real): train a one-layer GRU with a linear map per step on the
generated windows to predict one step ahead, then score the mean absolute error on every real window:

    d > 1: from features 1..d-1 at steps 1..T-1 predict feature d at steps 2..T   (the paper's)
    d = 1: from x at steps 1..T-1 predict x at steps 2..T                        (gankit's, for one series)

    MAE = mean over real windows of mean_t |ŷ_t - y_t|                            (lower is better)

The paper uses ``hidden = d // 2``; ``hidden = max(d // 2, 4)`` here so that a single series gets a usable network,
and a linear output (gankit's series are standardized, not scaled to [0, 1]). Both scores are averaged over
``repeats`` trainings in the paper (10); here one per call, seeded.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def post_hoc_hidden(dim: int) -> int:
    """The post-hoc GRU's width: max(d // 2, 4)."""
    return max(dim // 2, 4)


class _GRUHead(nn.Module):
    def __init__(self, in_dim: int, hidden: int, out_dim: int) -> None:
        super().__init__()
        self.rnn = nn.GRU(in_dim, hidden, batch_first=True)
        self.out = nn.Linear(hidden, out_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.rnn(x)[0])


def _split(x: torch.Tensor, rng: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    order = torch.randperm(len(x), generator=rng)
    cut = int(round(0.8 * len(x)))
    return x[order[:cut]], x[order[cut:]]


def _batch(x: torch.Tensor, batch: int, rng: torch.Generator) -> torch.Tensor:
    return x[torch.randint(len(x), (min(batch, len(x)),), generator=rng)]


def discriminative_score(real: torch.Tensor, fake: torch.Tensor, *, iterations: int = 2000, batch: int = 128,
                         hidden: int | None = None, seed: int = 0) -> float:
    """|accuracy - 0.5| of a post-hoc GRU classifier of real ``(N, T, d)`` against generated ``(M, T, d)`` windows
    (module docstring)."""
    real, fake = real.detach().float().cpu(), fake.detach().float().cpu()
    if real.dim() != 3 or fake.shape[1:] != real.shape[1:] or min(len(real), len(fake)) < 5:
        raise ValueError(f"need at least 5 windows each of one shape (N, T, d), got {tuple(real.shape)} and "
                         f"{tuple(fake.shape)}")
    rng = torch.Generator().manual_seed(seed)
    torch_state = torch.get_rng_state()
    torch.manual_seed(seed)  # the classifier's initial weights
    try:
        net = _GRUHead(real.shape[2], hidden or post_hoc_hidden(real.shape[2]), 1)
    finally:
        torch.set_rng_state(torch_state)
    (real_train, real_test), (fake_train, fake_test) = _split(real, rng), _split(fake, rng)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    with torch.enable_grad():
        for _ in range(iterations):
            x = torch.cat([_batch(real_train, batch, rng), _batch(fake_train, batch, rng)])
            y = torch.cat([torch.ones(min(batch, len(real_train))), torch.zeros(min(batch, len(fake_train)))])
            loss = F.binary_cross_entropy_with_logits(net(x)[:, -1, 0], y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        right = (net(real_test)[:, -1, 0] > 0).sum() + (net(fake_test)[:, -1, 0] <= 0).sum()
    accuracy = float(right) / (len(real_test) + len(fake_test))
    return abs(accuracy - 0.5)


def _predictive_pairs(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(inputs, targets) of the one-step-ahead task (module docstring)."""
    if x.shape[2] == 1:
        return x[:, :-1], x[:, 1:]
    return x[:, :-1, :-1], x[:, 1:, -1:]


def predictive_score(real: torch.Tensor, fake: torch.Tensor, *, iterations: int = 5000, batch: int = 128,
                     hidden: int | None = None, seed: int = 0) -> float:
    """Mean absolute error on the real windows of a post-hoc GRU predictor trained on the generated ones
    (module docstring)."""
    real, fake = real.detach().float().cpu(), fake.detach().float().cpu()
    if real.dim() != 3 or fake.shape[1:] != real.shape[1:] or real.shape[1] < 2 or len(fake) < 1:
        raise ValueError(f"need windows of at least 2 steps of one shape (N, T, d), got {tuple(real.shape)} and "
                         f"{tuple(fake.shape)}")
    rng = torch.Generator().manual_seed(seed)
    inputs, targets = _predictive_pairs(fake)
    torch_state = torch.get_rng_state()
    torch.manual_seed(seed)
    try:
        net = _GRUHead(inputs.shape[2], hidden or post_hoc_hidden(real.shape[2]), 1)
    finally:
        torch.set_rng_state(torch_state)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    with torch.enable_grad():
        for _ in range(iterations):
            index = torch.randint(len(inputs), (min(batch, len(inputs)),), generator=rng)
            loss = F.l1_loss(net(inputs[index]), targets[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    real_inputs, real_targets = _predictive_pairs(real)
    with torch.no_grad():
        return float((net(real_inputs) - real_targets).abs().mean(dim=(1, 2)).mean())
