"""A history of generated images for the discriminator (Shrivastava et al. 2017, "Learning from Simulated and
Unsupervised Images through Adversarial Training", §2.3), as CycleGAN uses it (Zhu et al. 2017, §4).

D is shown not only G's latest outputs but a buffer of older ones, which damps the oscillation of the two
players. For each image of a batch, in order:

- while the pool holds fewer than ``size`` images: store it and return it;
- once full: with probability ½ return a uniformly chosen stored image and put the new one in its place,
  otherwise return the new image and leave the pool unchanged.

``size = 0`` turns the pool off (every image is returned as it is). Randomness comes only from the
``torch.Generator`` passed to `query`, and the stored images are `state_dict`, so a run that saves both resumes
bit for bit, also while the pool is still filling.
"""

from __future__ import annotations

from typing import Any

import torch


class ImagePool:
    """Up to ``size`` past images of shape ``shape``; `query` swaps a batch against them."""

    def __init__(self, size: int, shape: tuple[int, ...]) -> None:
        if size < 0:
            raise ValueError(f"the pool size must be 0 or more, got {size}")
        self.size = size
        self.images = torch.zeros(size, *shape)
        self.count = 0

    @torch.no_grad()
    def query(self, images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """The images D sees in place of `images` (N, *shape) (detached; float32 on the pool's device)."""
        images = images.detach().float()
        if self.size == 0:
            return images
        if self.images.device != images.device:
            self.images = self.images.to(images.device)
        out = []
        for image in images:
            if self.count < self.size:
                self.images[self.count] = image
                self.count += 1
                out.append(image)
                continue
            coin = torch.rand((), generator=generator, device=generator.device)
            index = int(torch.randint(self.size, (), generator=generator, device=generator.device))
            if coin.item() < 0.5:
                out.append(self.images[index].clone())
                self.images[index] = image
            else:
                out.append(image)
        return torch.stack(out)

    def state_dict(self) -> dict[str, Any]:
        """The stored images (only the filled part) and how many there are."""
        return {"images": self.images[:self.count].clone(), "count": self.count}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        count = int(state["count"])
        stored = state["images"]
        if count > self.size or tuple(stored.shape) != (count, *self.images.shape[1:]):
            raise ValueError(f"a pool of {count} images of shape {tuple(stored.shape[1:])} does not fit a pool of "
                             f"{self.size} images of shape {tuple(self.images.shape[1:])}")
        self.images.zero_()
        self.images[:count] = stored.to(self.images.device)
        self.count = count
