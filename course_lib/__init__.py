"""course_lib: every method of the interpretable-ML workshop, written from scratch to be read.

Method modules (``shapley``, ``kernels``, ``lime``, ``kernel_shap``, ``tree_shap``, ``cam``,
``inspection``, ``metrics``) import only numpy, scikit-learn and torch. ``data``, ``plots``,
``widgets`` and ``env`` serve the notebooks; ``exercises`` and ``grading`` serve learners and
instructors.
"""
from .env import pick, setup

__version__ = "0.1.0"
__all__ = ["setup", "pick", "__version__"]
