"""gankit: generative adversarial networks on one engine.

The public API in a few names; see `gankit.api` for the functions the CLI calls.
"""

from gankit.api import load_generator, run_info, sample, save_samples, train
from gankit.config import Config, load_config
from gankit.errors import GankitError

__version__ = "0.1.0"
__all__ = ["Config", "GankitError", "load_config", "load_generator", "run_info", "sample", "save_samples", "train",
           "__version__"]
