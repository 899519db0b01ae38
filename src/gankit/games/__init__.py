"""Games: which networks play, the phases, and the loss of each phase. One builder per task family.

`build_game(config, data_spec)` builds the networks a config names and the game that trains them; new
families add themselves with `register_game(name, builder)`, as the built-ins below do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from gankit.config import choice_error, register_section, register_validator
from gankit.data.batch import check_fields
from gankit.errors import ConfigError
from gankit.models import D_NORM_CHOICES
from gankit.nn import DIFFAUGMENT_POLICIES
from gankit.games.adversarial import AdversarialGame, adversarial_options
from gankit.games.base import DataSpec, Game, NetworkSpec, Phase, PhaseContext
from gankit.games.cyclegan import CycleGANGame, CycleOptions, check_cycle
from gankit.games.pix2pix import Pix2PixGame, Pix2PixOptions, check_pix2pix
from gankit.games.pix2pixhd import Pix2PixHDOptions, check_pix2pixhd
from gankit.games.ctgan import CTGANGame, CTGANOptions, build_ctgan, check_ctgan
from gankit.games.tvae import TVAEOptions, build_tvae, check_tvae
from gankit.games.medgan import MedGANOptions, build_medgan, check_medgan
from gankit.games.progan import ProGANOptions, build_progan, check_progan
from gankit.games.stylegan import StyleGANOptions, build_stylegan, check_stylegan
from gankit.games.stylegan2 import StyleGAN2Options, build_stylegan2, check_stylegan2
from gankit.games.sagan import SAGANOptions, build_sagan, check_sagan
from gankit.games.biggan import BigGANOptions, build_biggan, check_biggan
from gankit.games.series_cgan import SeriesCGANGame, SeriesCGANOptions, build_series_cgan, check_series_cgan
from gankit.games.quantgan import QuantGANOptions, build_quantgan, check_quantgan
from gankit.games.timegan import TimeGANOptions, build_timegan, check_timegan

if TYPE_CHECKING:
    from gankit.config import Config

__all__ = ["AdversarialGame", "CTGANGame", "CycleGANGame", "DataSpec", "Game", "NetworkSpec", "Phase", "PhaseContext", "SeriesCGANGame",
           "build_game", "check_config", "game_names", "register_game"]

GameBuilder = Callable[["Config", DataSpec], Game]
_GAMES: dict[str, GameBuilder] = {}


def register_game(name: str, builder: GameBuilder) -> None:
    """Make `builder(config, dataset) -> Game` available as ``game: name`` in configs."""
    _GAMES[name] = builder


def game_names() -> list[str]:
    return sorted(_GAMES)


def check_config(config: Config) -> None:
    """Check the names the games and their networks own (`game`, `model.d_norm`, `stab.diffaugment`), which
    `gankit.config.validate` leaves to the layer that registers them. Raises `ConfigError`."""
    if config.game not in _GAMES:
        raise choice_error("game", config.game, game_names())
    if config.model.d_norm not in D_NORM_CHOICES:
        raise choice_error("model.d_norm", config.model.d_norm, D_NORM_CHOICES)
    if config.stab.diffaugment:
        for policy in config.stab.diffaugment.split(","):
            if policy.strip() not in DIFFAUGMENT_POLICIES:
                raise ConfigError(f"config key 'stab.diffaugment' has unknown policy '{policy.strip()}'; "
                                  f"choose from {', '.join(DIFFAUGMENT_POLICIES)}")


def build_game(config: Config, data: DataSpec) -> Game:
    """The game (and its networks) a config names, for data of the given spec."""
    check_config(config)
    game = _GAMES[config.game](config, data)
    check_fields(data.field_names, game.needs, data.name, config.game)
    if config.train.accumulate > 1:
        check_accumulation(game, config)
    return game


def check_accumulation(game: Game, config: Config) -> None:
    """Refuse ``train.accumulate`` > 1 where micro-batches would change what a step computes: a game's own
    reason (`Game.accumulation_refusal`), minibatch discrimination (it compares every sample of the batch), or
    a minibatch standard deviation whose groups do not divide ``train.batch_size``. Batch norm is accepted: its
    statistics are then per micro-batch, as on several devices without synchronized batch norm."""
    from gankit.nn import MinibatchDiscrimination, MinibatchStdDev

    reason = game.accumulation_refusal()
    for spec in game.networks.values():
        for layer in spec.module.modules():
            if reason is None and isinstance(layer, MinibatchDiscrimination):
                reason = "minibatch discrimination compares every sample of a whole batch"
            if reason is None and isinstance(layer, MinibatchStdDev) and config.train.batch_size % layer.group_size:
                reason = (f"the minibatch standard deviation takes groups of {layer.group_size}, which do not divide "
                          f"train.batch_size={config.train.batch_size}")
    if reason is not None:
        raise ConfigError(f"train.accumulate={config.train.accumulate} does not fit game '{config.game}': {reason} "
                          "(set train.accumulate=1)")


def _build_adversarial(config: Config, dataset: DataSpec, conditional: bool) -> Game:
    from gankit.games.networks import build_pair

    if conditional and not dataset.num_classes:
        raise ConfigError(f"game 'conditional' needs labelled data; dataset '{dataset.name}' has no labels")
    num_classes = dataset.num_classes if conditional else 0
    generator, discriminator = build_pair(config.model, dataset.sample_shape, num_classes=num_classes,
                                          kind=dataset.kind, stab=config.stab)
    return AdversarialGame.create(generator, discriminator, ema=config.train.ema > 0, n_classes=num_classes,
                                  **adversarial_options(config))


def _paired_shapes(game: str, data: DataSpec) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The (C, H, W) of one source and one target image of paired data, checked: both fields present, square
    images of one size (a config error naming the game otherwise)."""
    if "source" not in data.field_names:
        raise ConfigError(f"game '{game}' needs paired images (fields source and target); dataset '{data.name}' "
                          f"yields {', '.join(data.field_names)}")
    source, target = data.field_shape("source"), data.field_shape("target")
    if source[1:] != target[1:] or source[1] != source[2]:
        raise ConfigError(f"game '{game}' needs square source and target images of one size, got {source} and {target}")
    return source, target


def _build_pix2pix(config: Config, data: DataSpec) -> Game:
    from gankit.models.patchgan import PatchDiscriminator
    from gankit.models.unet import UNetGenerator

    source, target = _paired_shapes("pix2pix", data)
    options = config.section("pix2pix")
    try:
        generator = UNetGenerator(source[0], target[0], source[1], options.g_width, options.dropout, options.norm)
    except ValueError as exc:
        raise ConfigError(f"game 'pix2pix': {exc} (set data.img_size)") from None
    if source[1] < 3 * 2 ** options.d_layers:  # s / 2^n after the strided convolutions, then two 4x4 ones
        raise ConfigError(f"pix2pix.d_layers={options.d_layers} needs images of at least {3 * 2 ** options.d_layers} "
                          f"px, got {source[1]}: lower pix2pix.d_layers")
    discriminator = PatchDiscriminator(source[0] + target[0], options.d_width, options.d_layers, options.norm)
    return Pix2PixGame(generator, discriminator, loss=config.loss, lambda_l1=options.lambda_l1,
                       lambda_gan=options.lambda_gan, ema=config.train.ema > 0)


def _build_cyclegan(config: Config, data: DataSpec) -> Game:
    from gankit.models.patchgan import PatchDiscriminator
    from gankit.models.resnet_generator import ResNetGenerator

    if "a" not in data.field_names or "b" not in data.field_names:
        raise ConfigError(f"game 'cyclegan' needs unpaired images (fields a and b); dataset '{data.name}' "
                          f"yields {', '.join(data.field_names)}")
    options = config.section("cycle")
    shape = data.field_shape("a")
    if shape != data.field_shape("b") or shape[1] != shape[2] or shape[1] % 4:
        raise ConfigError(f"game 'cyclegan' needs square images of one size divisible by 4 in both domains, got "
                          f"{shape} and {data.field_shape('b')}")
    if shape[1] < 3 * 2 ** options.d_layers:  # s / 2^n after the strided convolutions, then two 4x4 ones
        raise ConfigError(f"cycle.d_layers={options.d_layers} needs images of at least {3 * 2 ** options.d_layers} "
                          f"px, got {shape[1]}: lower cycle.d_layers")
    channels = shape[0]
    generators = [ResNetGenerator(channels, channels, options.g_width, options.n_blocks) for _ in range(2)]
    discriminators = [PatchDiscriminator(channels, options.d_width, options.d_layers, "instance") for _ in range(2)]
    return CycleGANGame(*generators, *discriminators, shape, loss=config.loss, lambda_cycle=options.lambda_cycle,
                        lambda_identity=options.lambda_identity, lambda_gan=options.lambda_gan,
                        pool_size=options.pool_size, ema=config.train.ema > 0)


def _build_pix2pixhd(config: Config, data: DataSpec) -> Game:
    from gankit.games.pix2pixhd import Pix2PixHDGame
    from gankit.models.hd_generator import Pix2PixHDGenerator
    from gankit.models.multiscale_d import MultiScaleDiscriminator
    from gankit.models.patchgan import PatchDiscriminator

    source, target = _paired_shapes("pix2pixhd", data)
    o = config.section("pix2pixhd")
    if o.regions == "edges" and source[0] != 1:
        raise ConfigError(f"pix2pixhd.regions=edges reads 1-channel edge drawings, but the sources have {source[0]} "
                          "channels: set pix2pixhd.regions=image")
    try:
        generator = Pix2PixHDGenerator(source[0], target[0], source[1], o.g_width, o.g_down, o.g_blocks,
                                       o.local_blocks, o.feat_dim, 2 if o.regions == "edges" else 1, o.encoder_width,
                                       o.norm)
    except ValueError as exc:
        raise ConfigError(f"game 'pix2pixhd': {exc} (set data.img_size or pix2pixhd.g_down)") from None
    smallest = PatchDiscriminator.min_size(o.d_layers)
    if source[1] // 2 < smallest:  # the global stage judges half-resolution images
        raise ConfigError(f"pix2pixhd.d_layers={o.d_layers} needs images of at least {2 * smallest} px (half of them "
                          f"in the global stage), got {source[1]}: lower pix2pixhd.d_layers")
    discriminator = MultiScaleDiscriminator(source[0] + target[0], o.num_d, o.d_width, o.d_layers)
    missing = o.lambda_vgg > 0 and not _vgg16_present()
    return Pix2PixHDGame(generator, discriminator, loss=config.loss, global_steps=o.global_steps,
                         lambda_fm=o.lambda_fm, lambda_vgg=0.0 if missing else o.lambda_vgg, lambda_l1=o.lambda_l1,
                         vgg_taps=o.vgg_taps, regions=o.regions, ema=config.train.ema > 0, vgg_missing=missing)


def _vgg16_present() -> bool:
    from gankit.models.vgg16 import vgg16_available

    return vgg16_available()


# The families with options of their own: (game, its config section, the section's dataclass, its check, builder).
_FAMILIES = (
    ("progan", "progan", ProGANOptions, check_progan, build_progan),
    ("stylegan", "stylegan", StyleGANOptions, check_stylegan, build_stylegan),
    ("stylegan2", "stylegan2", StyleGAN2Options, check_stylegan2, build_stylegan2),
    ("sagan", "sagan", SAGANOptions, check_sagan, build_sagan),
    ("biggan", "biggan", BigGANOptions, check_biggan, build_biggan),
    ("pix2pixhd", "pix2pixhd", Pix2PixHDOptions, check_pix2pixhd, _build_pix2pixhd),
    ("pix2pix", "pix2pix", Pix2PixOptions, check_pix2pix, _build_pix2pix),
    ("cyclegan", "cycle", CycleOptions, check_cycle, _build_cyclegan),
    ("series-cgan", "series-cgan", SeriesCGANOptions, check_series_cgan, build_series_cgan),
    ("quantgan", "quantgan", QuantGANOptions, check_quantgan, build_quantgan),
    ("timegan", "timegan", TimeGANOptions, check_timegan, build_timegan),
    ("ctgan", "ctgan", CTGANOptions, check_ctgan, build_ctgan),
    ("tvae", "tvae", TVAEOptions, check_tvae, build_tvae),
    ("medgan", "medgan", MedGANOptions, check_medgan, build_medgan),
)
for _game, _section, _options, _check, _builder in _FAMILIES:
    register_section(_section, _options, games=(_game,), check=_check)
    register_game(_game, _builder)
register_game("unconditional", lambda config, data: _build_adversarial(config, data, conditional=False))
register_game("conditional", lambda config, data: _build_adversarial(config, data, conditional=True))

register_validator(check_config)
