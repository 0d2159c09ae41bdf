"""Lecture 11's methods on all-MiniLM-L6-v2 against their references:

* attention maps of one review (6 layers x 12 heads), recomputed from queries and keys, against
  ``transformers``' ``output_attentions`` (notes: the largest difference);
* integrated gradients over the word embeddings of a linear head on mean-pooled embeddings, 32
  steps, against captum's ``LayerIntegratedGradients`` (notes: the largest difference);
* SHAP values of the 14 tokens of one review, 400 evaluations: our KernelSHAP on token
  coalitions masked with [MASK] against shap's Partition explainer with its ``Text`` masker
  (different estimators of the same game: notes give their rank agreement, not equality).
"""
from __future__ import annotations

import numpy as np
import torch

from harness import Benchmark

TEXT = "The plot is thin, but the actors make the film worth seeing."


def setup():
    from course_lib import data

    tokenizer, model = data.load_text_transformer(device="cpu", verbose=False)
    weights = torch.from_numpy(np.random.default_rng(0).normal(size=384).astype(np.float32))
    ids = tokenizer(TEXT, return_tensors="pt")["input_ids"]
    special = (ids == tokenizer.cls_token_id) | (ids == tokenizer.sep_token_id)
    baseline = torch.where(special, ids, torch.full_like(ids, tokenizer.pad_token_id))

    def logit_of_ids(input_ids):
        hidden = model(input_ids=input_ids, attention_mask=torch.ones_like(input_ids)).last_hidden_state
        return torch.nn.functional.normalize(hidden.mean(1), dim=1) @ weights

    def logit_of_embeddings(embeddings):
        hidden = model(inputs_embeds=embeddings).last_hidden_state
        return torch.nn.functional.normalize(hidden.mean(1), dim=1) @ weights

    inner = np.arange(1, ids.shape[1] - 1)

    def logit_of_coalitions(Z):
        batch = ids.repeat(len(Z), 1)
        keep = torch.as_tensor(np.asarray(Z), dtype=torch.bool)
        batch[:, inner] = torch.where(keep, batch[:, inner],
                                      torch.full_like(batch[:, inner], tokenizer.mask_token_id))
        with torch.no_grad():
            return logit_of_ids(batch).numpy()

    def logit_of_strings(strings):
        batch = tokenizer(list(strings), return_tensors="pt", padding=True)
        with torch.no_grad():
            hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"][..., None].float()
        pooled = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=1)
        return (pooled @ weights).numpy()

    return {"tokenizer": tokenizer, "model": model, "ids": ids, "baseline": baseline,
            "logit_of_ids": logit_of_ids, "logit_of_embeddings": logit_of_embeddings,
            "logit_of_coalitions": logit_of_coalitions, "logit_of_strings": logit_of_strings,
            "n_tokens": len(inner)}


def ours_maps(ctx):
    from course_lib.attention import attention_maps

    return attention_maps(ctx["model"], ctx["tokenizer"], TEXT)[0]


def transformers_maps(ctx):
    with torch.no_grad():
        out = ctx["model"](**ctx["tokenizer"](TEXT, return_tensors="pt"), output_attentions=True)
    return torch.cat(out.attentions).numpy()


def notes_maps(ctx):
    return {"max|diff|": f"{np.abs(ours_maps(ctx) - transformers_maps(ctx)).max():.1e}"}


def ours_ig(ctx):
    from course_lib.attention import embedding_integrated_gradients

    embed = ctx["model"].embeddings.word_embeddings
    with torch.no_grad():
        e, e0 = embed(ctx["ids"]), embed(ctx["baseline"])
    return embedding_integrated_gradients(ctx["logit_of_embeddings"], e, e0, steps=32).detach()


def captum_ig(ctx):
    from captum.attr import LayerIntegratedGradients

    return LayerIntegratedGradients(ctx["logit_of_ids"], ctx["model"].embeddings.word_embeddings).attribute(
        ctx["ids"], baselines=ctx["baseline"], n_steps=32).detach()


def notes_ig(ctx):
    return {"max|diff|": f"{(ours_ig(ctx) - captum_ig(ctx)).abs().max():.1e}"}


def ours_shap(ctx):
    from course_lib.kernel_shap import kernel_shap

    n = ctx["n_tokens"]
    return kernel_shap(ctx["logit_of_coalitions"], np.ones((1, n)), np.zeros((1, n)),
                       n_samples=400, seed=0).values[0]


def shap_partition(ctx):
    import shap

    explanation = shap.Explainer(ctx["logit_of_strings"], shap.maskers.Text(ctx["tokenizer"]), seed=0)(
        [TEXT], max_evals=400, silent=True)
    return np.asarray(explanation.values[0])[1:-1]


def notes_shap(ctx):
    from course_lib.faithfulness import rank_agreement

    return {"rank agreement": f"{rank_agreement(ours_shap(ctx), shap_partition(ctx)):.2f}"}


BENCHMARKS = [
    Benchmark("attention maps: one review, 6 layers x 12 heads (vs transformers output_attentions)",
              setup, ours_maps, transformers_maps, repeat=3, notes=notes_maps),
    Benchmark("token integrated gradients: MiniLM, 32 steps (vs captum LayerIntegratedGradients)",
              setup, ours_ig, captum_ig, repeat=3, notes=notes_ig),
    Benchmark("text SHAP: 14 tokens, 400 evaluations, KernelSHAP (vs shap Partition + Text masker)",
              setup, ours_shap, shap_partition, repeat=2, notes=notes_shap),
]
