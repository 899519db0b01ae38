"""What the doctor reports: a `Finding` (a failure mode, its evidence, one sentence, remedies) and the remedies.

Each remedy is named after the project's switch that applies it where one exists (``loss=wgan-gp``,
``model.spectral_norm=true``, ``reg.r1_gamma=10``, ``train.ema``), else after the technique (``gankit.nn``
holds the building blocks: ``instance noise``, ``DiffAugment``, ``PacGAN packing``, ...), with a short why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FINDING_NAMES = ("mode_collapse", "vanishing_gradients", "discriminator_overpowering", "non_convergence", "nan")
SEVERITIES = ("warning", "critical")  # warning: held for a while, or a precursor; critical: broken now

REMEDIES: dict[str, str] = {
    "loss=nonsaturating": "the generator maximizes log D(G(z)) instead of minimizing log(1 - D(G(z))), whose "
                          "gradient vanishes exactly when D rejects the fakes (Goodfellow et al. 2014, Sec. 3)",
    "loss=wgan-gp": "a Wasserstein critic with a gradient penalty gives useful gradients even when the real and "
                    "fake distributions do not overlap, and trains stably (Arjovsky et al. 2017; "
                    "Gulrajani et al. 2017)",
    "model.spectral_norm=true": "bounds D's Lipschitz constant layer by layer, so D cannot become arbitrarily sharp "
                                "and its gradients stay informative (Miyato et al. 2018); on a DCGAN add "
                                "model.d_norm=none (the SN-DCGAN discriminator: batch norm would undo the bound), "
                                "which took dcgan-fashion's hour-long Inception FID from 26.5 to 19.3",
    "reg.r1_gamma=10": "penalizes D's gradient on real data, which damps the oscillation around the equilibrium "
                       "and makes the game converge locally (Mescheder et al. 2018)",
    "optim.lr_d lower (two time-scale)": "give D and G learning rates that keep them in step (Heusel et al. 2017, "
                                         "TTUR); lower optim.lr_d (or train.d_steps) when D runs away from G",
    "train.d_steps=1": "fewer discriminator updates per generator update let G keep up with D",
    "lower optim.lr_*": "a smaller step size (optim.lr_g, optim.lr_d) keeps Adam's updates from blowing the "
                        "weights up; a rate of 1e-4 to 2e-4 with beta1=0.5 is the DCGAN default (Radford et al. 2016)",
    "train.ema": "an exponential moving average of G's weights averages out the cycling of the iterates "
                 "(Yazici et al. 2019), e.g. train.ema=0.999",
    "unrolled GAN": "G optimizes against D unrolled k steps ahead, so it is penalized for hopping to the mode D "
                    "currently favours (Metz et al. 2017; gankit.nn.unrolled)",
    "minibatch discrimination": "D sees statistics across the batch, so a batch of near-identical fakes is easy to "
                                "reject (Salimans et al. 2016; gankit.nn.minibatch_discrimination, or the "
                                "minibatch standard-deviation layer of Karras et al. 2018)",
    "PacGAN packing": "D judges m samples at once, which penalizes a generator that lacks diversity "
                      "(Lin et al. 2018; gankit.nn.pack)",
    "instance noise": "noise added to D's real and fake inputs makes the two distributions overlap, so D cannot "
                      "separate them perfectly and G's gradient does not vanish (Sønderby et al. 2017; Arjovsky & "
                      "Bottou 2017; gankit.nn.instance_noise)",
    "one-sided label smoothing": "a real target of 0.9 instead of 1 keeps D from growing over-confident "
                                 "(Salimans et al. 2016)",
    "DiffAugment": "the same differentiable augmentation of real and fake inputs stops D from memorizing a small "
                   "training set (Zhao et al. 2020; gankit.nn.diffaugment)",
}


@dataclass(frozen=True)
class Remedy:
    """A switch or technique worth trying (`name`) and why it helps against the finding (`why`)."""

    name: str
    why: str

    @classmethod
    def named(cls, name: str) -> Remedy:
        """The catalogued remedy `name` (a KeyError for an unknown name is a bug, not a user mistake)."""
        return cls(name, REMEDIES[name])


@dataclass
class Finding:
    """One diagnosed failure mode.

    `name` is one of `FINDING_NAMES`; `severity` ``critical`` (the condition still holds, or the run stopped) or
    ``warning`` (it held for a sustained stretch and passed, or is a precursor); `since_step` the generator
    step at which the evidence starts; `evidence` the statistics, their values and thresholds; `message` one
    human sentence; `remedies` what to try, most relevant first.
    """

    name: str
    severity: str
    since_step: int
    evidence: dict[str, Any]
    message: str
    remedies: list[Remedy] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.name not in FINDING_NAMES:
            raise ValueError(f"unknown finding name {self.name!r}; expected one of {FINDING_NAMES}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}; expected one of {SEVERITIES}")

    @property
    def remedy_names(self) -> list[str]:
        return [r.name for r in self.remedies]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict: name, severity, since_step, message, evidence, remedies [{name, why}]."""
        return {
            "name": self.name,
            "severity": self.severity,
            "since_step": int(self.since_step),
            "message": self.message,
            "evidence": self.evidence,
            "remedies": [{"name": r.name, "why": r.why} for r in self.remedies],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        """Inverse of `to_dict` (also reads a ``finding`` record of metrics.jsonl, which carries extra keys)."""
        remedies = [Remedy(r["name"], r.get("why", REMEDIES.get(r["name"], ""))) if isinstance(r, dict)
                    else Remedy(str(r), REMEDIES.get(str(r), "")) for r in data.get("remedies", [])]
        return cls(name=data["name"], severity=data.get("severity", "warning"),
                   since_step=int(data.get("since_step", data.get("step", 0))), evidence=dict(data.get("evidence", {})),
                   message=str(data.get("message", "")), remedies=remedies)


def remedies(*names: str) -> list[Remedy]:
    """The catalogued remedies `names`, in order, without repeats."""
    return [Remedy.named(n) for n in dict.fromkeys(names)]
