"""course_lib: every method of the interpretable-ML workshop, written from scratch to be read.

Method modules import only numpy, scipy, scikit-learn and torch:
``shapley`` and ``shapley_model`` (01), ``kernels`` and ``warp`` (02), ``lime`` (03),
``kernel_shap`` and ``tree_shap`` (04), ``hooks``, ``cam`` and ``metrics`` (05),
``inspection``, ``surrogate`` and ``counterfactual`` (06). ``explanation.Attributions`` is the
one result shape they share. ``data``, ``assets``, ``plots``, ``widgets``, ``shortcut``, ``course``
and ``env`` serve the notebooks; ``exercises`` and ``grading`` serve learners and instructors.
Repository tools (notebook housekeeping, the exercise generator) live in the checkout's
``tools/`` and are not installed.
"""
from .env import pick, setup

__version__ = "0.1.0"
__all__ = ["setup", "pick", "__version__"]
