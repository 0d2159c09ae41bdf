"""PyTorch hooks as context managers: look inside a network without changing it.

A *forward hook* ``fn(module, inputs, output)`` runs each time a module has computed its
output; a *forward pre-hook* ``fn(module, inputs)`` runs just before, and may replace the
inputs; a *tensor hook* ``tensor.register_hook(fn)`` runs when autograd has computed the
gradient with respect to that tensor, and may replace it. With these three we record
activations, record their gradients and rewrite how gradients pass through a ReLU.

Three pitfalls decide the design (fastbook ch. 18 builds the first version of :class:`Hook`):

* a hook that is never removed keeps firing: every class here is a context manager whose
  ``__exit__`` removes its handles, also when the body raises;
* ``nn.Module.register_backward_hook`` is deprecated: for a module made of several operations
  its ``grad_input`` belongs to the last operation only. ``register_full_backward_hook`` raises
  on a module whose output is later modified in place ("Output 0 of
  BackwardHookFunctionBackward is a view and is being modified inplace", e.g. a ResNet block's
  ``bn2`` before ``out += identity``). We register a tensor hook on the output from inside a
  forward hook instead (the approach of pytorch-grad-cam's ``ActivationsAndGradients``; see
  pytorch/pytorch#61519);
* a later in-place operation (``nn.ReLU(inplace=True)``) overwrites the very tensor a hook kept:
  we store ``output.detach().clone()``, the value at the moment the module returned it.
  A tensor hook registered before the in-place operation still receives the gradient with
  respect to the value the module returned.
"""
from __future__ import annotations

from contextlib import contextmanager

import torch
from torch import nn

from ._validation import check_array, check_choice, check_module

__all__ = ["Hook", "GradientHook", "ReLURule", "RULES", "relu_backward", "evaluating",
           "ACTIVATIONS"]

#: The activation modules whose backward pass :class:`ReLURule` rewrites. ReLU6 is included:
#: EfficientNet-Lite and MobileNet use it, and captum's ``GuidedBackprop`` only hooks ``nn.ReLU``.
ACTIVATIONS = (nn.ReLU, nn.ReLU6)

#: The three rules for passing a signal back through a ReLU (Springenberg et al. 2015, fig. 1).
RULES = ("backprop", "deconvnet", "guided")


class Hook:
    """Record what `module` outputs on each forward pass, until the ``with`` block ends.

    >>> with Hook(model.layer4) as hook:
    ...     model(x)
    >>> hook.output.shape          # (N, C, h, w), a detached copy
    """

    def __init__(self, module: nn.Module):
        self.module = check_module(module, "module")
        self.outputs: list[torch.Tensor] = []
        self.handles: list = []

    def hook_fn(self, module, inputs, output):
        # clone: an in-place operation after this module must not change what we keep
        self.outputs.append(_single_tensor(output, module).detach().clone())

    def __enter__(self):
        self.handles.append(self.module.register_forward_hook(self.hook_fn))
        return self

    def __exit__(self, *exc_info):
        for handle in self.handles:
            handle.remove()
        self.handles.clear()
        return False  # never swallow the exception

    @property
    def output(self) -> torch.Tensor:
        """The output of the one forward pass recorded (an error if there were zero or several)."""
        return _only(self.outputs, "output", self.module)


class GradientHook(Hook):
    """Record `module`'s output and the gradient of the score with respect to it.

    The gradient comes from a tensor hook registered on the output inside the forward hook, so it
    works with in-place ReLUs and never uses the deprecated module backward hooks.
    """

    def __init__(self, module: nn.Module):
        super().__init__(module)
        self.gradients: dict[int, torch.Tensor] = {}

    def hook_fn(self, module, inputs, output):
        super().hook_fn(module, inputs, output)
        call = len(self.outputs) - 1
        output = _single_tensor(output, module)
        if output.requires_grad:
            output.register_hook(lambda grad: self.gradients.__setitem__(call, grad.detach()))

    @property
    def gradient(self) -> torch.Tensor:
        """d score / d output for the one forward pass recorded."""
        grads = [self.gradients[i] for i in sorted(self.gradients)]
        if not grads:
            raise RuntimeError(f"no gradient reached {type(self.module).__name__}: is the layer "
                               "used by the model's forward pass, before the output?")
        return _only(grads, "gradient", self.module)


class ReLURule:
    """While active, every ReLU/ReLU6 module of `model` passes gradients back by `rule`.

    With f = the ReLU's input and R = the signal arriving at its output (Springenberg et al.
    2015, "Striving for simplicity: the all convolutional net", fig. 1):

    * ``"backprop"``:  R_in = (f > 0) · R                (the true gradient)
    * ``"deconvnet"``: R_in = (R > 0) · R                (Zeiler & Fergus 2014)
    * ``"guided"``:    R_in = (f > 0) · (R > 0) · R      (guided backpropagation)

    How: a forward pre-hook puts a *gate* in front of each activation. The gate's forward pass
    returns a copy of its input (so an in-place ReLU never touches the original tensor); its
    backward pass replaces the gradient by the rule. The forward hook stores R for deconvnet.
    Modules are never replaced, and ``__exit__`` removes every hook.
    """

    def __init__(self, model: nn.Module, rule: str = "guided", activations=ACTIVATIONS):
        self.model, self.rule = check_module(model), check_choice(rule, "rule", RULES)
        self.activations = _check_activations(activations)
        self.handles: list = []
        self._box: dict = {}
        self.n_activations = 0

    def __enter__(self):
        for module in self.model.modules():
            if isinstance(module, self.activations):
                self.handles.append(module.register_forward_pre_hook(self._gate))
                self.handles.append(module.register_forward_hook(self._remember_output_signal))
                self.n_activations += 1
        return self

    def __exit__(self, *exc_info):
        for handle in self.handles:
            handle.remove()
        self.handles.clear()
        self._box = {}
        return False

    def _gate(self, module, inputs):
        box = {}  # filled during the backward pass with R, the signal at the output
        self._box[module] = box
        return (_Gate.apply(inputs[0], self.rule, box),) + tuple(inputs[1:])

    def _remember_output_signal(self, module, inputs, output):
        box = self._box.pop(module)
        if self.rule == "deconvnet" and output.requires_grad:
            output.register_hook(lambda grad: box.__setitem__("R", grad))


class _Gate(torch.autograd.Function):
    """Identity on the way forward (as a copy); a ReLU rule on the way back."""

    @staticmethod
    def forward(ctx, f, rule, box):
        ctx.rule, ctx.box = rule, box
        return f.clone()

    @staticmethod
    def backward(ctx, grad):
        # `grad` is what plain backprop passes on: act'(f) · R, with act' >= 0 for ReLU and ReLU6
        if ctx.rule == "guided":      # act'(f) · (R > 0) · R  ==  relu(act'(f) · R)
            grad = grad.clamp(min=0)
        elif ctx.rule == "deconvnet":  # (R > 0) · R: ignores the forward pass
            grad = ctx.box["R"].clamp(min=0)
        return grad, None, None


def relu_backward(f, R, rule: str = "backprop"):
    """The signal a ReLU passes back, by `rule`, from its input `f` and the incoming signal `R`.

    backprop R_in = (f > 0)·R;  deconvnet R_in = (R > 0)·R;  guided R_in = (f > 0)·(R > 0)·R.
    Works on numpy arrays and torch tensors of the same shape.
    """
    check_choice(rule, "rule", RULES)
    f = check_array(f, "f", keep_tensor=True)
    R = check_array(R, "R", shape=f.shape, keep_tensor=True)
    if rule == "backprop":
        return (f > 0) * R
    if rule == "deconvnet":
        return (R > 0) * R
    return (f > 0) * (R > 0) * R


@contextmanager
def evaluating(model: nn.Module):
    """Run the body in eval mode with gradients on; afterwards restore every module's mode and
    every parameter's ``requires_grad`` and ``grad`` exactly as they were, even on an error."""
    modes = [(module, module.training) for module in check_module(model).modules()]
    params = [(p, p.requires_grad, p.grad) for p in model.parameters()]
    try:
        model.eval()  # explanations of a prediction: no dropout, batch norm with running stats
        with torch.enable_grad():
            yield model
    finally:
        for module, training in modes:
            module.training = training
        for p, requires_grad, grad in params:
            p.requires_grad_(requires_grad)
            p.grad = grad


# ------------------------------------------------------------------------------ helpers
def _single_tensor(output, module) -> torch.Tensor:
    if isinstance(output, torch.Tensor):
        return output
    raise TypeError(f"{type(module).__name__} returns {type(output).__name__}, not a tensor; "
                    "hook a module that returns one tensor")


def _only(items: list, what: str, module) -> torch.Tensor:
    if len(items) == 1:
        return items[0]
    if not items:
        raise RuntimeError(f"no {what} recorded: run the model inside the `with` block")
    raise RuntimeError(f"{type(module).__name__} ran {len(items)} times in the forward pass "
                       f"(a shared module?); its {what} is ambiguous. Hook a module that runs once")


def _check_activations(activations) -> tuple:
    activations = activations if isinstance(activations, tuple) else (activations,)
    if not activations or not all(isinstance(a, type) and issubclass(a, nn.Module)
                                  for a in activations):
        raise TypeError(f"activations must be module classes such as (nn.ReLU, nn.ReLU6), "
                        f"got {activations!r}")
    return activations
