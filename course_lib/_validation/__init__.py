"""Checks at the boundary: one place for every public function's argument checks.

A public function validates in one to three lines and its algorithm then trusts its inputs
(scikit-learn's ``check_array`` / ``check_is_fitted``; captum's ``_utils/common.py``). Every error
is one line that names the argument, what was wrong and the fix:

* ``TypeError`` for the wrong kind of thing (a string array, a sparse matrix, a float count),
* ``ValueError`` for a wrong value (NaN, a negative seed, a shape that does not fit, a count so
  large that the work could not fit in memory, checked before anything is allocated).

Check at the door, trust inside: a public function checks its arguments here, once, and a
function that other library code calls has an unchecked core ``_name`` beside it, which the
composites call (scikit-learn's ``permutation_importance`` -> ``_calculate_permutation_scores``).
So every argument is scanned where the user passed it and never again (tests/test_check_once.py).
A function the notebooks print keeps its checks to one to three lines by calling one composite
check here (``check_counterfactual``, ``check_infidelity``...) that returns the checked values.

The package is split by what is checked, and re-exports every name, so that
``from course_lib._validation import check_rows`` works wherever the check lives: the general
checks in ``arrays`` (rows, counts, numbers, tensors), ``seeds``, ``models`` (callables, fitted
estimators, what they return), ``tables`` and ``values`` (choices, devices, texts, single rows);
then one module per method family, by lecture: ``kernels``, ``lime``, ``shapley``, ``networks``
(images, layers, baselines, concepts), ``inspection``, ``counterfactual``, ``examples``,
``faithfulness`` and ``attention``.
"""
from __future__ import annotations

from .arrays import (BLOCK_ELEMENTS, MAX_ELEMENTS, check_rows, check_count, check_budget,
                     check_tensor, check_real, check_scalar, check_positive, check_size,
                     check_shape, check_array, check_indices)
from .seeds import (check_seed, check_random_state, seed_alias, check_generator)
from .models import (check_callable, model_outputs, model_labels, check_fitted, is_regressor,
                     check_predictions, check_tree, check_estimator)
from .tables import (check_table, check_target, feature_index, like, check_finite_table,
                     check_frame, check_length, check_names, check_pair)
from .values import (check_choice, check_device, check_rgb_image, check_texts, check_row,
                     check_vector, check_instance)
from .networks import (check_module, check_layer, check_images, check_class_index,
                       check_like_images, check_reference_images, check_window,
                       check_supported_layers, check_pictures, check_training, check_target_scores,
                       check_class_scores, check_baseline, check_activation_pair,
                       check_activation_sets, check_score_samples, check_concept_masks,
                       check_visualisation)
from .kernels import (check_widths, check_binary_labels, check_affine, check_row_pairs, check_gram,
                      check_features_in, check_fourier_fit, check_fourier_transform)
from .lime import (FEATURE_SELECTIONS, check_label, check_feature_selection, check_sampling,
                   check_explain, check_words, check_columns, check_regression,
                   check_representation, check_weights, check_image, check_segments, check_masks,
                   check_colour, check_perturbation, check_tokens, check_training_data)
from .shapley import (check_background, check_class_labels, check_coalitions, check_wls,
                      check_model_game, check_one_output, check_loss_game, check_players,
                      check_shapley_method)
from .inspection import (check_edges, check_category_order, check_importance, check_supervised,
                         check_mean_target, check_bins, check_partial_dependence)
from .counterfactual import (check_one_row, check_counterfactual, check_grid, check_scale,
                             check_counterfactual_target, check_directions)
from .examples import (check_targets, check_checkpoints, check_row_indices, check_known_labels,
                       check_nearest, check_search)
from .faithfulness import (check_aopc, check_mask, check_rationale, check_tensor_pair,
                           check_infidelity)
from .attention import (check_nodes, check_text_labels, check_labels_per_text, check_encoder,
                        check_embedding_ig, check_scores_per_row, check_embedding_args)

__all__ = ["MAX_ELEMENTS", "BLOCK_ELEMENTS", "check_rows", "check_count", "check_budget",
           "check_seed", "check_random_state", "seed_alias", "check_callable", "model_outputs",
           "model_labels", "check_tensor", "check_fitted", "check_table", "check_target",
           "feature_index", "like", "is_regressor", "check_choice", "check_device",
           "check_rgb_image", "check_texts", "check_real", "check_scalar", "check_positive",
           "check_size", "check_shape", "check_array", "check_module", "check_layer",
           "check_images", "check_indices", "check_class_index", "check_generator",
           "check_finite_table", "check_predictions", "check_frame", "check_length", "check_names",
           "check_tree", "check_estimator", "check_pair", "check_row", "check_vector",
           "check_instance", "check_like_images", "check_reference_images", "check_window",
           "check_supported_layers", "check_background", "check_class_labels", "check_coalitions",
           "check_wls", "check_model_game", "check_players", "check_supervised", "check_affine",
           "check_row_pairs", "check_gram", "check_features_in", "check_activation_pair",
           "check_score_samples", "check_activation_sets", "check_concept_masks",
           "check_visualisation", "check_class_scores", "check_baseline", "check_training_data",
           "check_tokens", "check_colour", "check_perturbation", "check_search",
           "check_target_scores", "check_widths", "check_binary_labels", "check_pictures",
           "check_edges", "check_category_order", "check_nodes", "check_text_labels",
           "check_labels_per_text", "check_encoder", "check_targets", "check_checkpoints",
           "check_row_indices", "check_known_labels", "check_aopc", "check_mask", "check_rationale",
           "check_tensor_pair", "check_grid", "check_scale", "check_counterfactual_target",
           "check_directions", "FEATURE_SELECTIONS", "check_label", "check_feature_selection",
           "check_sampling", "check_columns", "check_regression", "check_representation",
           "check_weights", "check_image", "check_segments", "check_masks", "check_shapley_method",
           "check_one_output", "check_loss_game", "check_explain", "check_words", "check_one_row",
           "check_counterfactual", "check_infidelity", "check_nearest", "check_embedding_ig",
           "check_scores_per_row", "check_embedding_args", "check_importance", "check_training",
           "check_fourier_fit", "check_fourier_transform", "check_mean_target", "check_bins",
           "check_partial_dependence"]
