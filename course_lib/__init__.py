"""course_lib: every method of the interpretable-ML workshop, written from scratch to be read.

Method modules import only numpy, scipy, scikit-learn and torch:
``shapley`` and ``shapley_model`` (01), ``kernels`` and ``warp`` (02), ``lime`` (03),
``kernel_shap`` and ``tree_shap`` (04), ``hooks``, ``cam`` and ``metrics`` (05),
``inspection``, ``surrogate`` and ``counterfactual`` (06), ``effects`` (07), ``examples`` and
``anchors`` (08), ``faithfulness`` and ``attention`` (09); ``game`` holds the cooperative game
they share and ``_validation`` every argument check. ``explanation.Attributions`` is the one
result shape of the local explainers. ``data``, ``assets``, ``plots``, ``widgets``, ``shortcut``,
``course``, ``references`` (the reference packages Colab lacks) and ``env`` serve the notebooks; ``exercises`` and ``grading`` serve learners and instructors
(repository tools, such as notebook housekeeping and the exercise generator, live in the
checkout's ``tools/`` and are not installed). Layers (imports point down; tests/test_layers.py): foundation (``env``,
``explanation``, ``_validation``) -> methods (above, and ``game``) -> data -> plots/widgets ->
exercises/grading/course/references.

Our argument names and the reference packages' (each method equals its reference, tested):

=====================  ==========================  ===========================  =====================
ours                   shap                        lime                         scikit-learn/captum
=====================  ==========================  ===========================  =====================
``f`` (a function)     ``model`` (Explainer(f))    ``predict_fn`` / classifier  ``forward_func``
``model`` (fitted)     ``model`` (TreeExplainer)   --                           ``estimator``
``background``         ``data`` / ``masker``       ``training_data``            ``baselines``
``n_samples``          ``nsamples``                ``num_samples``              ``n_samples``
``seed``               ``seed`` (``np.random``)    ``random_state``             ``random_state`` / seeds
``X`` (rows)           ``X``                       ``data_row`` (one row)       ``X`` / ``inputs``
``target``             output index                ``labels``                   ``target``
=====================  ==========================  ===========================  =====================

Every local explainer can hand back ``explanation.Attributions`` (``tree_shap``, ``kernel_shap``,
``model_shapley``, ``Game.attributions()`` for any cooperative game, ``ModelGame`` included,
LIME's ``Explanation.to_attributions()``), and ``explanation.to_explanation`` turns one into a
``shap.Explanation`` for shap's plots. Saliency maps and CAMs stay image-shaped tensors
(N, C, H, W) or (N, H, W): one number per pixel, not per feature.
"""
from .env import pick, setup

__version__ = "0.1.0"
__all__ = ["setup", "pick", "__version__"]
