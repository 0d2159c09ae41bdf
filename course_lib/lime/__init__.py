"""LIME from scratch: one core (sample, weight, fit) and three interpretable representations.

>>> from course_lib.lime import LimeTabular, LimeText, LimeImage
>>> explanation = LimeTabular(X_train, seed=0).explain(x, model.predict_proba, label=1)
>>> explanation.weights, explanation.intercept, explanation.score, explanation.local_pred

Modules: ``core`` (kernel, feature selection, weighted ridge, the result), ``tabular``,
``text``, ``image`` (the representations; each equals ``lime`` 0.2.0.1 for the same arguments, our
``seed`` its ``random_state``), ``diagnostics`` (stability across seeds, local fidelity, impossible
neighbours) and ``_checks`` (what only LIME checks, and batched model calls; every other check
is ``course_lib._validation``).
"""
from .core import (Explanation, Neighbourhood, exponential_kernel, fit_surrogate,
                   forward_selection, highest_weights, select_features, weighted_r2,
                   weighted_ridge)
from .image import (LimeImage, hide_superpixels, perturbed_images, quickshift_superpixels,
                    superpixel_mask)
from .tabular import LimeTabular
from .text import LimeText, split_words, texts_from_masks
from . import diagnostics

__all__ = [
    "LimeTabular", "LimeText", "LimeImage", "Explanation", "Neighbourhood", "exponential_kernel",
    "weighted_ridge", "weighted_r2", "select_features", "forward_selection", "highest_weights",
    "fit_surrogate", "split_words", "texts_from_masks", "hide_superpixels", "perturbed_images",
    "quickshift_superpixels", "superpixel_mask", "diagnostics",
]
