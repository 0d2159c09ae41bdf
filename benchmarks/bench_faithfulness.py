"""Faithfulness metrics and attention rollout: the batched library code against the textbook loop,
and infidelity against captum.metrics.

* deletion + insertion curves of one 48 px picture through the shortcut CNN: ours builds all
  masked copies and calls the model once per batch; the reference calls it once per step;
* attention rollout of a batch of 32 texts (2 layers, 4 heads, 64 tokens): ours multiplies the
  batch at once; the reference loops over the texts in numpy;
* infidelity of saliency on 8 pictures: ours against ``captum.metrics.infidelity`` with the
  same perturbation draws (notes: the largest difference).
"""
from __future__ import annotations

import numpy as np
import torch

from harness import Benchmark

STEPS = 24


def setup_curves():
    from course_lib import shortcut

    torch.manual_seed(0)
    model = shortcut.small_cnn().eval()
    data = shortcut.make_shortcut_data(2, seed=0)
    x = shortcut.to_tensor(data.images[:1]).contiguous()[0].numpy()
    attribution = np.random.default_rng(0).random((48, 48))

    def f(batch):
        with torch.no_grad():
            return model(torch.as_tensor(np.asarray(batch), dtype=torch.float32)).softmax(1)[:, 1].numpy()

    return {"f": f, "x": x, "a": attribution}


def ours_curves(ctx):
    from course_lib import faithfulness as fm

    return (fm.deletion_curve(ctx["f"], ctx["x"], ctx["a"], steps=STEPS).scores,
            fm.insertion_curve(ctx["f"], ctx["x"], ctx["a"], steps=STEPS).scores)


def loop_curves(ctx):
    x, order = ctx["x"], np.argsort(-ctx["a"].ravel(), kind="stable")
    deletion, insertion = [], []
    for k in range(STEPS + 1):
        m = int(round(k * order.size / STEPS))
        mask = np.zeros(order.size, bool)
        mask[order[:m]] = True
        mask = mask.reshape(48, 48)
        deletion.append(ctx["f"]((x * ~mask)[None])[0])
        insertion.append(ctx["f"]((x * mask)[None])[0])
    return np.array(deletion), np.array(insertion)


def notes_curves(ctx):
    ours, loop = ours_curves(ctx), loop_curves(ctx)
    return {"max|diff|": f"{max(np.abs(a - b).max() for a, b in zip(ours, loop)):.1e}"}


def setup_rollout():
    generator = torch.Generator().manual_seed(0)
    return {"attentions": [torch.rand(32, 4, 64, 64, generator=generator).softmax(-1)
                           for _ in range(2)]}


def ours_rollout(ctx):
    from course_lib.attention import attention_rollout

    return attention_rollout(ctx["attentions"]).numpy()


def loop_rollout(ctx):
    out = []
    for b in range(ctx["attentions"][0].shape[0]):
        result = np.eye(64)
        for A in ctx["attentions"]:
            layer = 0.5 * A[b].double().numpy().mean(0) + 0.5 * np.eye(64)
            result = (layer / layer.sum(-1, keepdims=True)) @ result
        out.append(result)
    return np.stack(out)


def notes_rollout(ctx):
    return {"max|diff|": f"{np.abs(ours_rollout(ctx) - loop_rollout(ctx)).max():.1e}"}


def setup_infidelity():
    from course_lib import cam, shortcut

    torch.manual_seed(0)
    model = shortcut.small_cnn().eval()
    x = shortcut.to_tensor(shortcut.make_shortcut_data(8, seed=0).images).contiguous()
    return {"model": model, "x": x, "a": cam.input_gradient(model, x, 1)}


def ours_infidelity(ctx):
    from course_lib.faithfulness import infidelity

    return infidelity(ctx["model"], ctx["x"], ctx["a"], n_perturb=16, seed=0, noise=0.05, target=1)


def captum_infidelity(ctx):
    from captum.metrics import infidelity

    generator = torch.Generator().manual_seed(0)

    def perturb(inputs):
        noise = 0.05 * torch.randn(inputs.shape, generator=generator)
        return noise, inputs - noise

    return infidelity(ctx["model"], perturb, ctx["x"], ctx["a"], target=1, n_perturb_samples=16)


def notes_infidelity(ctx):
    return {"max|diff|": f"{(ours_infidelity(ctx) - captum_infidelity(ctx)).abs().max():.1e}"}


BENCHMARKS = [
    Benchmark(f"deletion + insertion: 48 px picture, {STEPS} steps (ours batched vs loop)",
              setup_curves, ours_curves, loop_curves, repeat=3, notes=notes_curves),
    Benchmark("attention rollout: 32 texts, 2 layers, 4 heads, 64 tokens (vs numpy loop)",
              setup_rollout, ours_rollout, loop_rollout, repeat=3, notes=notes_rollout),
    Benchmark("infidelity: saliency, 8 pictures, 16 draws (vs captum.metrics)",
              setup_infidelity, ours_infidelity, captum_infidelity, repeat=3,
              notes=notes_infidelity),
]
