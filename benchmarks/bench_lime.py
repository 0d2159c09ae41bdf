"""LIME: ours against lime 0.2.0.1 at equal num_samples, for tables, text and images.

Both sides get the same model and arguments; the notes say how much of each run went into
the model itself (the rest is sampling, distances and the surrogate fit) and confirm the
weights agree.
"""
from __future__ import annotations

import time

import numpy as np

from harness import Benchmark, TimedModel


def _side(name, run):
    """ours/reference callables that also record wall time and model time in the context."""
    def go(ctx):
        model = TimedModel(ctx["predict"])
        start = time.perf_counter()
        ctx[f"{name}_result"] = run(ctx, model)
        ctx[f"{name}_wall"] = ctx.get(f"{name}_wall", 0.0) + time.perf_counter() - start
        ctx[f"{name}_model"] = ctx.get(f"{name}_model", 0.0) + model.seconds
    return go


def _notes(ctx):
    ours, ref = ctx["ours_result"], ctx["reference_result"]
    label = ctx["label"]
    expected = dict(ref.local_exp[label])
    gap = max(abs(expected[j] - ours.weights.get(j, np.nan)) for j in expected)
    return {"model share ours": f"{ctx['ours_model'] / ctx['ours_wall']:.0%}",
            "lime": f"{ctx['reference_model'] / ctx['reference_wall']:.0%}",
            "samples": ctx["num_samples"], "max |Δw|": f"{gap:.1e}"}


# ------------------------------------------------------------------------------ tables
def _tabular_setup():
    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier

    from course_lib.cardio_twin import FEATURES, make_cardio_twin

    clean = make_cardio_twin(n=20_000, seed=0, errors=False)
    X = clean[FEATURES]
    model = RandomForestClassifier(n_estimators=100, min_samples_leaf=20, random_state=0, n_jobs=1)
    model.fit(X, clean["cardio"])
    return {"X": X.to_numpy(float), "x": X.iloc[7].to_numpy(float), "label": 1, "num_samples": 5000,
            "predict": lambda rows: model.predict_proba(pd.DataFrame(rows, columns=FEATURES)),
            "categorical": [1, 6, 7, 8, 9, 10]}


def _tabular_ours(ctx, model):
    from course_lib.lime import LimeTabular

    return LimeTabular(ctx["X"], categorical_features=ctx["categorical"], seed=0).explain(
        ctx["x"], model, num_features=10, num_samples=ctx["num_samples"])


def _tabular_lime(ctx, model):
    from lime.lime_tabular import LimeTabularExplainer

    return LimeTabularExplainer(ctx["X"], categorical_features=ctx["categorical"], random_state=0).explain_instance(
        ctx["x"], model, num_features=10, num_samples=ctx["num_samples"])


# ------------------------------------------------------------------------------ text
def _text_setup():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    rng = np.random.RandomState(0)
    spam_words = "free money visit my channel subscribe click gift win now".split()
    ham_words = "song love voice guitar great video beautiful music drums best".split()
    docs = [" ".join(rng.choice(spam_words if label else ham_words, 8)) for label in [0, 1] * 200]
    model = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(docs, [0, 1] * 200)
    text = ("For Christmas Song visit my channel! ;) I love this song, the guitar and the voice are great, "
            "subscribe for more music, free gift for every new subscriber, click now")
    return {"text": text, "predict": model.predict_proba, "label": 1, "num_samples": 5000}


def _text_ours(ctx, model):
    from course_lib.lime import LimeText

    return LimeText(seed=0).explain(ctx["text"], model, num_features=10, num_samples=ctx["num_samples"])


def _text_lime(ctx, model):
    from lime.lime_text import LimeTextExplainer

    return LimeTextExplainer(random_state=0).explain_instance(ctx["text"], model, num_features=10,
                                                              num_samples=ctx["num_samples"])


# ------------------------------------------------------------------------------ images
def _photo_224():
    from PIL import Image

    from course_lib.data import load_sample_images

    photo = Image.fromarray(load_sample_images()["chelsea"])
    side = min(photo.size)
    left, top = (photo.size[0] - side) // 2, (photo.size[1] - side) // 2
    return np.asarray(photo.crop((left, top, left + side, top + side)).resize((224, 224), Image.BICUBIC))


def _image_setup_effnet():
    import torch

    from course_lib.data import load_imagenet_model
    from course_lib.lime import quickshift_superpixels

    model, _, _ = load_imagenet_model()
    image = _photo_224()

    def predict(batch):
        x = torch.as_tensor(np.asarray(batch), dtype=torch.float32).permute(0, 3, 1, 2) / 255
        with torch.no_grad():
            return torch.softmax(model((x - 0.5) / 0.5), dim=1).numpy()

    label = int(np.argmax(predict(image[None])[0]))
    return {"image": image, "segments": quickshift_superpixels(image), "predict": predict, "label": label,
            "num_samples": 200}


def _image_setup_cheap():
    image = _photo_224()
    weights = np.random.RandomState(0).normal(size=(6, 5))

    def predict(batch):  # colour statistics of the four quadrants: a model that costs almost nothing
        b = np.asarray(batch, dtype=float) / 255
        h, w = b.shape[1] // 2, b.shape[2] // 2
        features = np.stack([b[:, :h, :w].mean((1, 2, 3)), b[:, :h, w:].mean((1, 2, 3)), b[:, h:, :w].mean((1, 2, 3)),
                             b[:, h:, w:].mean((1, 2, 3)), b[..., 0].mean((1, 2)), b[..., 2].mean((1, 2))], 1)
        logits = 8 * features @ weights
        e = np.exp(logits - logits.max(1, keepdims=True))
        return e / e.sum(1, keepdims=True)

    from course_lib.lime import quickshift_superpixels

    return {"image": image, "segments": quickshift_superpixels(image), "predict": predict, "label": 2,
            "num_samples": 1000}


def _image_ours(ctx, model):
    from course_lib.lime import LimeImage

    return LimeImage(seed=0).explain(ctx["image"], model, label=ctx["label"], segments=ctx["segments"],
                                             num_samples=ctx["num_samples"], batch_size=10)


def _image_lime(ctx, model):
    from lime.lime_image import LimeImageExplainer

    segments = ctx["segments"]
    return LimeImageExplainer(random_state=0).explain_instance(
        ctx["image"], model, labels=(ctx["label"],), top_labels=None, num_samples=ctx["num_samples"],
        batch_size=10, segmentation_fn=lambda image: segments)


BENCHMARKS = [
    Benchmark("lime tabular: RF on cardio twin, 5000 samples", _tabular_setup,
              _side("ours", _tabular_ours), _side("reference", _tabular_lime), repeat=5, notes=_notes),
    Benchmark("lime text: TF-IDF + LogReg, 5000 samples", _text_setup,
              _side("ours", _text_ours), _side("reference", _text_lime), repeat=5, notes=_notes),
    Benchmark("lime image: cheap numpy model, 1000 samples", _image_setup_cheap,
              _side("ours", _image_ours), _side("reference", _image_lime), repeat=2, notes=_notes),
    Benchmark("lime image: EfficientNet-Lite0 CPU, 200 samples", _image_setup_effnet,
              _side("ours", _image_ours), _side("reference", _image_lime), repeat=1, notes=_notes),
]
