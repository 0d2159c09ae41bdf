"""TCAV against captum.concept.TCAV: time and agreement on a small CNN.

Both sides train the same CAVs (captum through its custom-classifier hook, with our
concept_activation_vector inside), for one concept against 4 random sets of 40 images each,
and score 32 inputs at one layer. captum also writes every activation to disk (save_path).
"""
from __future__ import annotations

import tempfile
import warnings

import torch
from harness import Benchmark
from torch import nn

warnings.filterwarnings("ignore", message="Using default classifier")


def _setup():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 16, 3, padding=1),
                          nn.ReLU(), nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Linear(256, 5)).eval()
    generator = torch.Generator().manual_seed(1)
    striped = torch.rand(40, 3, 32, 32, generator=generator)
    striped[:, :, ::4] = 1.0
    randoms = [torch.rand(40, 3, 32, 32, generator=generator) for _ in range(4)]
    return {"model": model, "concept": striped, "randoms": randoms,
            "inputs": torch.rand(32, 3, 32, 32, generator=generator), "target": 2}


def _ours(ctx):
    from course_lib import concepts

    model, acts = ctx["model"], lambda x: concepts.layer_activations(ctx["model"], "2", x)
    concept = acts(ctx["concept"])
    return [concepts.tcav_score(model, "2", ctx["inputs"], ctx["target"],
                                concepts.concept_activation_vector(concept, acts(r)))
            for r in ctx["randoms"]]


def _reference(ctx):
    from captum.concept import TCAV, Concept
    from captum.concept._utils.classifier import Classifier
    from torch.utils.data import DataLoader

    from course_lib import concepts

    class OurCAV(Classifier):
        def __init__(self):
            self.cav, self.ids = None, None

        def train_and_eval(self, dataloader, **kwargs):
            inputs, labels = zip(*dataloader)
            x, y = torch.cat(inputs), torch.cat(labels)
            self.ids = sorted(set(y.tolist()))
            self.cav = concepts.concept_activation_vector(x[y == self.ids[0]], x[y == self.ids[1]])

        def weights(self):
            return torch.stack([self.cav, -self.cav]).float()

        def classes(self):
            return self.ids

    def concept(i, x):
        return Concept(i, f"c{i}", DataLoader(list(x), batch_size=len(x)))

    striped = concept(0, ctx["concept"])
    sets = [[striped, concept(i + 1, r)] for i, r in enumerate(ctx["randoms"])]
    with tempfile.TemporaryDirectory() as path:
        scores = TCAV(ctx["model"], ["2"], classifier=OurCAV(), save_path=path).interpret(
            ctx["inputs"], sets, target=ctx["target"])
    return [scores[f"0-{i + 1}"]["2"]["sign_count"][0].item() for i in range(len(ctx["randoms"]))]


def _notes(ctx):
    ours, theirs = _ours(ctx), _reference(ctx)
    return {"max |score diff|": f"{max(abs(a - b) for a, b in zip(ours, theirs)):.1e}",
            "scores": "/".join(f"{s:.2f}" for s in ours)}


BENCHMARKS = [
    Benchmark("concepts: TCAV, 1 concept x 4 random sets, 32 inputs vs captum", _setup, _ours,
              _reference, notes=_notes),
]
