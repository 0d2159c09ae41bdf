"""Every public function and class of the method and data modules has a bad-input probe.

The probes live in ``tests/test_bad_inputs*.py`` (``CASES`` dicts, see tests/bad_input_probe.py).
A name that takes no input a learner could get wrong (a constant, a result record the library
builds itself) is listed in ``NOT_PROBED`` with the reason.
"""
import importlib
from pathlib import Path

import pytest

from bad_input_probe import PROBED_MODULES, public_callables, resolve

HERE = Path(__file__).resolve().parent

#: "module.name" -> why it needs no probe.
NOT_PROBED = {
    # vision
    "metrics.RandomizationResult": "the record cascading_randomization builds and returns",
    # tabular
    "inspection.PermutationImportance": "result record built by permutation_importance and drop-column importance",
    "inspection.PartialDependence": "result record built by partial_dependence",
    "inspection.MeanTarget": "result record built by mean_target",
    "inspection.BestWorst": "result record built by best_worst_points",
    "surrogate.ErrorTree": "result record built by error_tree",
    "surrogate.LeafRule": "result record built by leaf_rules",
    "counterfactual.Counterfactual": "result record built by counterfactual",
    "counterfactual.DiverseCounterfactuals": "result record built by diverse_counterfactuals",
    "effects.ALE": "result record built by ale and ale_categorical",
    "effects.ALE2D": "result record built by ale_2d",
    "effects.PartialDependence2D": "result record built by partial_dependence_2d",
    "anchors.Anchor": "result record built by anchor and anchor_text",
    "faithfulness.Curve": "result record built by the deletion, insertion and ROAD curves",
    # shapley and lime
    "shapley.ShapleyEstimate": "the result record sample_shapley builds",
    "shapley.AxiomCheck": "one line of the report check_axioms builds",
    "shapley.AxiomReport": "the result record check_axioms builds",
    "tree_shap.LeafTable": "the record leaf_table(model) builds; probed through path_dependent_shap",
    "lime.diagnostics.Stability": "the result record stability() builds",
    # lecture 10
    "concepts.TCAVTest": "the result record tcav_significance and tcav_random_test build",
}


def probed_objects() -> set:
    found = set()
    for path in sorted(HERE.glob("test_bad_inputs*.py")):
        if path.stem == "test_bad_inputs_coverage":
            continue
        module = importlib.import_module(path.stem)
        found.update(id(resolve(key)) for key in module.CASES)
    return found


@pytest.mark.parametrize("module_name", PROBED_MODULES)
def test_every_public_callable_is_probed(module_name):
    probed = probed_objects() | {id(resolve(key)) for key in NOT_PROBED}   # re-exports: same object
    missing = [f"{module_name}.{name}" for name, obj in public_callables(module_name).items()
               if id(obj) not in probed]
    assert not missing, f"no bad-input probe for {missing}"


def test_not_probed_names_exist():
    for key in NOT_PROBED:
        resolve(key)
