"""Image-side convolutions with 1-3 channels on one side, routed around oneDNN's slow float32 path on CPUs.

A GAN's image-side layers are thin: G's last layer maps 64 channels to the image's 1 or 3, D's first maps them
back. In float32 on a CPU, PyTorch runs every convolution through oneDNN, which computes these thin calls at
9-11 GFLOP/s against 190+ for the wide ones (docs/BENCHMARKS.md, "The fp32 step against its convolution
limit"): on `dcgan-fashion` two such calls took 7% of the step for 0.4% of its arithmetic. PyTorch's own
(im2col + matrix product) kernels compute the same calls 3-5 times faster, and oneDNN wins again from about 8
channels and in bfloat16. So:

* `ThinConvTranspose2d` (an image-producing layer, out_channels ≤ `THIN`): its forward in float32 on a CPU is
  ``aten.slow_conv_transpose2d``; its backward (a wide convolution) stays with autograd's choice;
* `ThinConv2d` (an image-reading layer, in_channels ≤ `THIN`): forward and weight gradient stay oneDNN's; the
  input gradient -- the gradient a generator receives through D, a thin transposed convolution of the output
  gradient -- is ``aten.slow_conv_transpose2d`` as well, in a custom autograd function whose backward is built
  of differentiable operations, so gradient penalties (double backward) work through it.

Same parameters, names and initialization as ``nn.Conv2d`` / ``nn.ConvTranspose2d`` (checkpoints are
interchangeable); same results up to float rounding. Under autocast, in other dtypes, on other devices or with
groups/dilation the layers are the plain torch ones.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

THIN = 3  # channels on the image side up to which the native kernels are faster (1 and 3 measured; 8 is not)


def _native(x: torch.Tensor, layer: nn.Module) -> bool:
    """Whether the native float32 path applies: CPU, a full-precision dtype, no autocast, plain geometry."""
    return (x.device.type == "cpu" and x.dtype in (torch.float32, torch.float64)
            and not torch.is_autocast_enabled("cpu") and layer.groups == 1 and layer.dilation == (1, 1))


class ThinConvTranspose2d(nn.ConvTranspose2d):
    """``nn.ConvTranspose2d`` whose float32 CPU forward uses PyTorch's native kernel when out_channels ≤ THIN."""

    def forward(self, x: torch.Tensor, output_size: list[int] | None = None) -> torch.Tensor:
        if self.out_channels > THIN or output_size is not None or self.padding_mode != "zeros" or not _native(x, self):
            return super().forward(x, output_size)
        # NCHW: the native kernel's im2col reads a channels-last input 2x slower than it costs to convert it
        return torch.ops.aten.slow_conv_transpose2d(x.contiguous(), self.weight, self.kernel_size, self.bias,
                                                    self.stride, self.padding, self.output_padding, self.dilation)


class _ThinInputConv2d(torch.autograd.Function):
    """y = conv2d(x, w, b); dL/dx by the native transposed convolution, dL/dw and dL/db by autograd's own."""

    @staticmethod
    def forward(ctx, x, weight, bias, stride, padding):  # noqa: ANN001, ANN205 (autograd.Function protocol)
        ctx.save_for_backward(x, weight, bias)  # the backward is built of differentiable operations: no
        # once_differentiable, so a gradient penalty's double backward goes through it
        ctx.stride, ctx.padding = stride, padding
        return F.conv2d(x, weight, bias, stride, padding)

    @staticmethod
    def backward(ctx, grad):  # noqa: ANN001, ANN205
        x, weight, bias = ctx.saved_tensors
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:
            kernel = weight.shape[2:]
            natural = [(o - 1) * s - 2 * p + k for o, s, p, k in zip(grad.shape[2:], ctx.stride, ctx.padding, kernel)]
            output_padding = [size - n for size, n in zip(x.shape[2:], natural)]
            grad_x = torch.ops.aten.slow_conv_transpose2d(grad.contiguous(), weight, kernel, None, ctx.stride,
                                                          ctx.padding, output_padding, (1, 1))
        if ctx.needs_input_grad[1] or ctx.needs_input_grad[2]:
            mask = [False, ctx.needs_input_grad[1], bias is not None and ctx.needs_input_grad[2]]
            _, grad_w, grad_b = torch.ops.aten.convolution_backward(
                grad, x, weight, None if bias is None else list(bias.shape), ctx.stride, ctx.padding, (1, 1), False,
                (0, 0), 1, mask)
        return grad_x, grad_w, grad_b, None, None


class ThinConv2d(nn.Conv2d):
    """``nn.Conv2d`` whose float32 CPU input gradient uses PyTorch's native kernel when in_channels ≤ THIN."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if (self.in_channels > THIN or self.padding_mode != "zeros" or not x.requires_grad
                or not _native(x, self)):
            return super().forward(x)
        return _ThinInputConv2d.apply(x, self.weight, self.bias, self.stride, self.padding)
