"""Run by tests under torchrun: trains, then every rank saves the weights it holds as rank<R>.safetensors."""

import os
import sys

from safetensors.torch import save_file

from gankit import api


def main() -> None:
    out, overrides = sys.argv[1], sys.argv[2:]
    result = api.train("gan-ring", os.path.join(out, "run"), overrides=overrides)
    weights = {}
    for name in ("G", "D"):
        for key, value in result.game.module(name).state_dict().items():
            weights[f"{name}.{key}"] = value.detach().contiguous().clone()
    save_file(weights, os.path.join(out, f"rank{os.environ.get('RANK', '0')}.safetensors"))


if __name__ == "__main__":
    main()
