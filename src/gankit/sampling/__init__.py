"""Ways to draw from a trained generator: plain, truncated latents (`truncation`), discriminator rejection
sampling (`rejection`, Azadi et al. 2019) and Jacobian rejection (`jacobian_rejection`, Tanielian et al. 2020);
and the latent tools: walks between seeds (`interpolate`) and projection of real images (`project`,
`projection_run`).

>>> from gankit.sampling import load_generator, sample
>>> images = sample(load_generator("runs/dcgan-fashion"), 64, truncation=1.5)
"""

from gankit.sampling.draw import DrawnSamples, draw_samples, jacobian_rejection_sampler, sample, sample_drs
from gankit.sampling.interpolate import (Interpolation, check_interpolation_output, interpolate, parse_seeds,
                                         save_interpolation, slerp)
from gankit.sampling.loading import LoadedGenerator, find_checkpoint, load_discriminator, load_generator
from gankit.sampling.output import check_sample_output, save_samples
from gankit.sampling.project import Projection, perceptual_loss, pixel_mse, project
from gankit.sampling.projection_run import ProjectedImage, check_projection_output, project_image, save_projection
from gankit.sampling.series import sample_paths, sample_series, save_paths_file
from gankit.sampling.table import check_table_output, is_table_run, sample_table, save_table
from gankit.sampling.translate import (Translations, check_translation_output, load_translator, parse_style,
                                      save_translations, translate)

__all__ = [
    "Interpolation",
    "ProjectedImage",
    "Projection",
    "check_interpolation_output",
    "check_projection_output",
    "interpolate",
    "parse_seeds",
    "perceptual_loss",
    "pixel_mse",
    "project",
    "project_image",
    "save_interpolation",
    "save_projection",
    "slerp",
    "DrawnSamples",
    "LoadedGenerator",
    "check_sample_output",
    "draw_samples",
    "find_checkpoint",
    "jacobian_rejection_sampler",
    "load_discriminator",
    "load_generator",
    "sample",
    "sample_drs",
    "sample_paths",
    "sample_table",
    "save_table",
    "check_table_output",
    "is_table_run",
    "sample_series",
    "save_paths_file",
    "save_samples",
    "Translations",
    "check_translation_output",
    "load_translator",
    "save_translations",
    "translate",
    "parse_style",
]
