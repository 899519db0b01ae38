"""FLOPs of the matmuls and convolutions a piece of code dispatches, by torch.utils.flop_counter's formulas.

`FlopCount` is used instead of `torch.utils.flop_counter.FlopCounterMode` wherever a training step may call
`torch.autograd.grad` with `create_graph=True` (gradient penalty, R1, path length): FlopCounterMode tracks modules
with hooks that such a call refuses ("A leaf node was passed to _will_engine_execute_node").
"""

from __future__ import annotations

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import flop_registry


class FlopCount(TorchDispatchMode):
    """FLOPs of the matmuls and convolutions dispatched meanwhile, by torch.utils.flop_counter's formulas.

    (FlopCounterMode itself tracks modules with hooks that `autograd.grad`, used by R1 and the path length, refuses.)
    """

    def __init__(self) -> None:
        super().__init__()
        self.total = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        packet = func._overloadpacket
        formula = flop_registry.get(packet)
        if packet is torch.ops.aten.convolution_backward and args[9] > 1 and args[10][1]:
            # the formula counts a grouped convolution's weight gradient as if every group saw every input channel:
            # count the input gradient as it is and the weight gradient divided by the groups
            head, tail = list(args[:10]), list(args[11:])
            self.total += formula(*head, [args[10][0], False, False], *tail, **kwargs, out_val=out)
            self.total += formula(*head, [False, True, False], *tail, **kwargs, out_val=out) // args[9]
        elif formula is not None:
            self.total += formula(*args, **kwargs, out_val=out)
        return out
