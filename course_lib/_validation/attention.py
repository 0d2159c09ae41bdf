"""Attention and embeddings (lectures 09 and 11): flows, text labels, encoders, integrated
gradients over embeddings."""
from __future__ import annotations

import numpy as np

from .arrays import check_budget, check_count, check_tensor
from .models import check_callable
from .networks import check_class_index, check_module
from .values import check_texts

__all__ = ["check_nodes", "check_text_labels", "check_labels_per_text", "check_encoder",
           "check_embedding_ig", "check_scores_per_row", "check_embedding_args"]


# ----------------------------------------------------------------------------- attention
def check_nodes(capacity, source, sink):
    n = len(capacity)
    if capacity.shape != (n, n) or (capacity < 0).any():
        raise ValueError(f"capacity must be a square matrix of numbers >= 0, got {capacity.shape}")
    source, sink = check_count(source, "source", 0, n - 1), check_count(sink, "sink", 0, n - 1)
    if source == sink:
        raise ValueError(f"source and sink must be two different nodes, got {source} twice")
    return source, sink


def check_text_labels(labels, model, ids):
    return check_class_index(labels, len(ids), model.classifier.out_features, "labels", "texts")


def check_labels_per_text(labels, token_lists):
    labels = np.asarray(labels)
    if labels.shape != (len(token_lists),):
        raise ValueError(f"labels has shape {labels.shape}; expected one label per text, "
                         f"({len(token_lists)},)")
    return labels


def check_encoder(model):
    model = check_module(model)
    layers = getattr(getattr(model, "encoder", None), "layer", None)
    if layers is None or not hasattr(model, "config") or \
            not all(hasattr(getattr(layer, "attention", None), "self") for layer in layers):
        raise TypeError("model must be a BERT-style encoder (model.encoder.layer[i].attention.self"
                        "), such as the model returned by course_lib.data.load_text_transformer()")
    return model


def check_embedding_ig(forward, embeddings, baseline, steps, batch_size):
    """(embeddings, baseline, steps, batch_size) of integrated gradients over embeddings; the
    batch of interpolated copies is bounded before any is built."""
    check_callable(forward, "forward", "lambda e: classifier(model(inputs_embeds=e)...)")
    embeddings = check_tensor(embeddings, "embeddings", ndim=3)
    baseline = check_tensor(baseline, "baseline", like=embeddings, shape=embeddings.shape)
    steps = check_count(steps, "steps", maximum=10_000)
    batch_size = check_count(batch_size, "batch_size", maximum=10_000)
    check_budget(batch_size * embeddings.numel(), "batch_size * embeddings.numel()", per_unit=8)
    return embeddings, baseline, steps, batch_size


def check_scores_per_row(scores, n: int):
    """What forward returned for n rows of embeddings: one score per row, shape (n,)."""
    if scores.shape != (n,):
        raise ValueError(f"forward must return one score per row, shape ({n},), got "
                         f"{tuple(scores.shape)}; select the class, e.g. logits[:, target]")
    return scores


def check_embedding_args(model, tokenizer, texts, batch_size):
    """(model, texts, batch_size) of sentence embeddings: an encoder, its tokenizer, texts."""
    model, texts = check_encoder(model), check_texts(texts)
    check_callable(tokenizer, "tokenizer", "the tokenizer returned by load_text_transformer()")
    batch_size = check_count(batch_size, "batch_size", maximum=4096)
    check_count(len(texts), "len(texts)", maximum=1_000_000)
    return model, texts, batch_size
