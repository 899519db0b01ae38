"""The configuration schema: one dataclass per shared section, and `Config` that holds them.

A run is described by one `Config`. Built-in recipes (``src/gankit/recipes/*.yaml``) and user YAML files
only give the keys that differ from the defaults below.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

from gankit.config.sections import get_section, reserve_names

DECAY_CHOICES = ("none", "linear")
LOSS_CHOICES = ("minimax", "nonsaturating", "wasserstein", "wgan-gp", "hinge", "least-squares")


@dataclass
class DataConfig:
    name: str = "fashion-mnist"
    path: str | None = None
    img_size: int | None = None
    channels: int | None = None
    split: str = "train"
    n_points: int = 50_000
    limit: int | None = None
    seed: int | None = None  # the draw of synthetic data (mixtures, series); None: the run's seed
    # series (docs/series.md): windows of `history` past and `future` next steps, `stride` apart; the last
    # `holdout` share of the values is held out for evaluation (0: evaluate in-sample)
    history: int = 3
    future: int = 3
    stride: int = 1
    holdout: float = 0.2
    # tables (docs/tables.md): the column a utility model predicts, and kind overrides "name=kind,..."
    target: str | None = None
    column_kinds: str = ""
    # real series (sp500, nasdaq, series-csv): the dates kept (YYYY-MM-DD, inclusive; None: all), the CSV
    # column of values (sp500/nasdaq: Adj Close), log returns or the values as they are, and the transform
    start: str | None = None
    end: str | None = None
    column: str | None = None
    returns: str = "log"  # log | none
    transform: str = "lambertw"  # lambertw | standardize


@dataclass
class ModelConfig:
    arch: str = "dcgan"
    z_dim: int = 100
    g_width: int = 64
    d_width: int = 64
    g_hidden: list[int] = field(default_factory=lambda: [256, 512, 1024])
    d_hidden: list[int] = field(default_factory=lambda: [1024, 512, 256])
    spectral_norm: bool = False
    d_norm: str = "batch"  # the DCGAN discriminator's hidden-layer normalization: batch | none (SN-DCGAN)


@dataclass
class RegConfig:
    gp_weight: float = 10.0
    clip: float = 0.01
    r1_gamma: float = 0.0
    r1_every: int = 1


@dataclass
class StabilityConfig:
    """Remedies for the classic failure modes; each off by default (see docs/stability.md)."""

    real_label: float = 1.0  # one-sided label smoothing (Salimans et al. 2016): e.g. 0.9
    instance_noise: float = 0.0  # std of Gaussian noise on D's inputs, annealed to 0 (Sønderby et al. 2017)
    diffaugment: str = ""  # DiffAugment policy on D's inputs, e.g. "color,translation,cutout" (Zhao et al. 2020)
    pack: int = 1  # PacGAN: D judges `pack` samples at once (Lin et al. 2018)
    top_k: float = 1.0  # top-k training: G learns from this share of its samples D rates best (Sinha et al. 2020)
    unrolled_steps: int = 0  # unrolled GAN: G looks through k D updates (Metz et al. 2017)
    unrolled_lr: float = 1e-3  # step size of the unrolled (plain gradient) D updates; 1e-2 diverged on the ring
    minibatch_discrimination: int = 0  # number of minibatch-discrimination kernels (Salimans et al. 2016)
    minibatch_stddev: bool = False  # minibatch standard-deviation feature (Karras et al. 2018)


@dataclass
class TrainConfig:
    steps: int = 2000
    batch_size: int = 64
    d_steps: int = 1
    accumulate: int = 1  # gradient accumulation: each update sums K micro-batches of batch_size (effective K x batch)
    ema: float = 0.0
    ema_start: int = 0
    ema_rampup: float = 0.0  # cap the EMA's half-life at ema_rampup·step steps (StyleGAN2-ADA; 0: off)
    amp: bool | Literal["auto"] = "auto"  # mixed precision: auto picks per device (gankit.training.precision)
    channels_last: bool = True
    sync_bn: bool = True
    log_every: int = 10
    sample_every: int = 500
    ckpt_every: int = 500
    keep: int = 3
    num_samples: int = 64
    progress: bool = True
    doctor: bool = True  # watch for failure modes while training (gankit.doctor)
    max_minutes: float = 0.0  # wall-clock budget of one `gankit train` call (0: none); stops early with a checkpoint
    threads: int = 0  # CPU threads (0: the idle cores when training starts; see gankit.training.threads)


@dataclass
class EvalConfig:
    """Evaluation during training (off when every = 0): metrics logged beside the losses, best checkpoint kept."""

    every: int = 0  # generator steps between evaluations
    metrics: str = "fid"  # comma-separated: fid, kid, is, pr, dc, modes, classes
    n: int = 2000  # generated samples per evaluation
    extractor: str = "classifier"  # classifier (fast, trained once on the data) or inception
    best: str = "fid"  # keep checkpoints/best/ by this metric (lower is better for fid, kid, reverse_kl)


@dataclass
class SampleConfig:
    """How `gankit sample`, `gankit eval` and `api.sample` draw from a finished run unless told otherwise.

    The sample grids and the doctor's probes during training show the raw generator; `eval.every` samples as
    `gankit eval` does.
    """

    jacobian_rejection: float = 0.0  # reject this share of latent codes with the steepest G (Tanielian et al. 2020)
    standing_stats: int = 0  # batches to re-estimate G's batch-norm statistics from before sampling (BigGAN; 0: off)
    truncation: float = 0.0  # draw latent codes from N(0, I) truncated to [-T, T] (BigGAN's truncation trick; 0: off)


@dataclass
class OptimConfig:
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    beta1: float = 0.5
    beta2: float = 0.999
    decay: str = "none"  # "linear": both learning rates fall linearly to 0 at train.steps (gankit.training.schedule)
    decay_start: float = 0.5  # fraction of train.steps after which the linear decay begins
    weight_decay: float = 0.0  # L2: weight_decay·θ added to every gradient (Adam's; TVAE's paper: 1e-5)


@dataclass
class Config:
    name: str = "custom"
    description: str = ""
    seed: int = 0
    device: str = "auto"
    game: str = "unconditional"
    loss: str = "nonsaturating"
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    reg: RegConfig = field(default_factory=RegConfig)
    stab: StabilityConfig = field(default_factory=StabilityConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    sample: SampleConfig = field(default_factory=SampleConfig)
    # the family sections set or read by this run, by name (`gankit.config.sections`): e.g. {"pix2pix": ...}
    sections: dict[str, Any] = field(default_factory=dict, repr=False)

    def section(self, name: str) -> Any:
        """The options of family section `name` (its defaults when the config does not set it)."""
        if name not in self.sections:
            registered = get_section(name)
            if registered is None:
                raise KeyError(f"no config section {name!r} is registered")
            self.sections[name] = registered.schema()
        return self.sections[name]

    def to_dict(self) -> dict[str, Any]:
        """The nested mapping of every key; family sections sit at the top level beside the shared ones."""
        out = {f.name: dataclasses.asdict(v) if dataclasses.is_dataclass(v) else v
               for f in dataclasses.fields(self) if f.name != "sections" for v in (getattr(self, f.name),)}
        out.update({name: dataclasses.asdict(options) for name, options in sorted(self.sections.items())})
        return out


reserve_names(f.name for f in dataclasses.fields(Config))
