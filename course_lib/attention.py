"""Attention is not (yet) explanation: a tiny transformer, attention rollout and attention flow.

A transformer mixes its tokens layer by layer, so the raw attention of one layer says where that
layer looks, not which input token the prediction depends on. Abnar & Zuidema (2020, "Quantifying
attention flow in transformers") combine the layers, each head-averaged and with the residual
connection added as an identity, A_l = 0.5 mean_h(A_l^h) + 0.5 I, rows renormalised:

* :func:`attention_rollout`: multiply the layers, R = A_L ... A_2 A_1; R[i, j] is how much of
  input token j reaches output position i if attention were the only route;
* :func:`attention_flow`: treat the layers as a graph whose edges (l-1, j) -> (l, i) have
  capacity A_l[i, j], and take the maximum flow from input j to output i (Edmonds-Karp).

:class:`TinyEncoder` is a small classifier (token and position embeddings, a [CLS] token, a few
post-norm encoder layers, no dropout) that returns its attention maps, and
:func:`token_integrated_gradients` attributes its prediction to the tokens by integrating over
the token embeddings: equal to captum's ``LayerIntegratedGradients(model, model.token_embedding)``.
"""
from __future__ import annotations

import math

import re
from collections import Counter

import numpy as np
import torch
from torch import nn

from ._validation import (check_array, check_budget, check_callable, check_class_index, check_count,
                          check_embedding_args, check_embedding_ig, check_encoder, check_indices,
                          check_labels_per_text, check_module, check_nodes, check_positive, check_real,
                          check_scores_per_row, check_seed, check_size, check_text_labels, check_texts)
from .cam import quadrature

__all__ = ["attention_rollout", "attention_flow", "max_flow", "TinyEncoder", "Vocabulary",
           "train_encoder", "token_integrated_gradients", "plant_token", "PAD", "UNK", "CLS",
           "attention_maps", "attention_norms", "embedding_integrated_gradients",
           "sentence_embeddings"]

PAD, UNK, CLS = 0, 1, 2


# ---------------------------------------------------------------------- rollout and flow
def attention_rollout(attentions, add_residual: bool = True) -> torch.Tensor:
    """Attention rollout (Abnar & Zuidema 2020, eq. 1): R = A_L ... A_1, shape (T, T).

    `attentions`: one (heads, T, T) tensor per layer, rows summing to 1 (a leading batch axis
    (B, heads, T, T) gives (B, T, T)). Heads are averaged; with `add_residual` each layer
    becomes 0.5 A + 0.5 I (the skip connection), rows renormalised.
    """
    layers = _layer_matrices(attentions, add_residual)
    rollout = layers[0]
    for layer in layers[1:]:
        rollout = layer @ rollout  # what reaches layer l = this layer's mixing of layer l-1
    return rollout


def attention_flow(attentions, add_residual: bool = True, output_token: int | None = None):
    """Attention flow (Abnar & Zuidema 2020, section 3): F[i, j] = the maximum flow from input
    token j to output position i through the layered graph of the head-averaged attention
    (capacity of edge (l-1, j) -> (l, i) = A_l[i, j]). Shape (T, T), or (T,) for one
    `output_token` (the [CLS] position 0 for a classifier). One example at a time."""
    layers = [m.detach().cpu().double().numpy() for m in _layer_matrices(attentions, add_residual)]
    if layers[0].ndim != 2:
        raise ValueError("attention_flow explains one example: give (heads, T, T) per layer")
    n_layers, T = len(layers), layers[0].shape[0]
    check_size(((n_layers + 1) * T) ** 2, "the flow graph")
    if output_token is not None:
        output_token = check_count(output_token, "output_token", 0, T - 1)
    capacity = np.zeros(((n_layers + 1) * T,) * 2)
    for l, A in enumerate(layers):  # node (l, i) is l * T + i
        capacity[l * T:(l + 1) * T, (l + 1) * T:(l + 2) * T] = A.T  # from j below to i above
    outputs = range(T) if output_token is None else [output_token]
    flow = np.array([[max_flow(capacity, j, n_layers * T + i) for j in range(T)] for i in outputs])
    return torch.as_tensor(flow if output_token is None else flow[0])


def max_flow(capacity: np.ndarray, source: int, sink: int) -> float:
    """Maximum flow value from `source` to `sink` (Edmonds-Karp: augment along shortest paths
    found by breadth-first search until none is left). `capacity` is a dense (n, n) matrix."""
    residual = np.array(check_array(capacity, "capacity", ndim=2))  # a copy: the search edits it
    source, sink = check_nodes(residual, source, sink)
    total = 0.0
    while True:
        parent = -np.ones(len(residual), int)
        parent[source] = source
        frontier = [source]
        while frontier and parent[sink] < 0:  # breadth-first search, one layer at a time
            step = []
            for node in frontier:
                fresh = np.flatnonzero((residual[node] > 1e-12) & (parent < 0))
                parent[fresh] = node
                step.extend(fresh.tolist())
            frontier = step
        if parent[sink] < 0:
            return total
        path, node = [], sink
        while node != source:
            path.append((parent[node], node))
            node = parent[node]
        bottleneck = min(residual[u, v] for u, v in path)
        for u, v in path:
            residual[u, v] -= bottleneck
            residual[v, u] += bottleneck
        total += bottleneck


def _layer_matrices(attentions, add_residual):
    if isinstance(attentions, (torch.Tensor, str)) or not hasattr(attentions, "__len__") \
            or len(attentions) == 0:
        raise TypeError("attentions must be a non-empty list with one (heads, T, T) tensor per "
                        "layer")
    layers, shape = [], None
    for l, A in enumerate(attentions):
        name = f"attentions[{l}]"
        if not isinstance(A, torch.Tensor):                  # numbers, finite, 3-D or 4-D
            A = torch.as_tensor(check_array(A, f"{name} (heads, T, T)", ndim=(3, 4)))
        shape = shape or A.shape
        if A.ndim not in (3, 4) or A.shape[-1] != A.shape[-2] or A.shape != shape:
            raise ValueError(f"{name} has shape {tuple(A.shape)}; expected (heads, T, T) "
                             f"(or (B, heads, T, T)), the same for every layer")
        A = A.detach().double().mean(dim=-3)
        low, high = torch.aminmax(A)
        if not (low >= 0 and high < math.inf):             # NaN fails too
            raise ValueError(f"{name} has negative, NaN or infinite weights; pass attention "
                             "weights (softmax outputs, >= 0), not scores")
        if add_residual:
            A = 0.5 * A + 0.5 * torch.eye(A.shape[-1], dtype=A.dtype, device=A.device)
        totals = A.sum(dim=-1, keepdim=True)
        if not add_residual and not totals.min() > 0:
            raise ValueError(f"{name} has a row of zeros: every position must attend")
        layers.append(A / totals)
    return layers


# ---------------------------------------------------------------------- a tiny transformer
class TinyEncoder(nn.Module):
    """A transformer encoder classifier small enough to train on a CPU in seconds.

    ids (B, T) with [CLS] first and PAD = 0 after the text -> logits (B, n_classes), read from
    the [CLS] position. Each layer: multi-head self-attention (padding keys masked), residual,
    LayerNorm, a ReLU feed-forward block, residual, LayerNorm (Vaswani et al. 2017).
    ``forward(ids, return_attention=True)`` also returns one (B, heads, T, T) map per layer.
    """

    def __init__(self, vocab_size: int, n_classes: int = 2, d_model: int = 32, n_heads: int = 2,
                 n_layers: int = 2, max_len: int = 64):
        super().__init__()
        for name, value in dict(vocab_size=vocab_size, n_classes=n_classes, d_model=d_model,
                                n_heads=n_heads, n_layers=n_layers, max_len=max_len).items():
            check_count(value, name, maximum=10 ** 7)
        check_size((vocab_size + max_len + 12 * n_layers * d_model) * d_model, "the weights")
        if d_model % n_heads:
            raise ValueError(f"d_model ({d_model}) must be a multiple of n_heads ({n_heads})")
        self.n_heads = n_heads
        self.token_embedding = nn.Embedding(vocab_size, d_model, padding_idx=PAD)
        self.position_embedding = nn.Embedding(max_len, d_model)
        self.layers = nn.ModuleList(_EncoderLayer(d_model, n_heads) for _ in range(n_layers))
        self.classifier = nn.Linear(d_model, n_classes)

    def forward(self, ids, return_attention: bool = False):
        check_indices(ids, "ids", upper=self.token_embedding.num_embeddings, ndim=2)
        if ids.shape[1] > self.position_embedding.num_embeddings:
            raise ValueError(f"ids has {ids.shape[1]} positions; this model takes at most "
                             f"max_len={self.position_embedding.num_embeddings}")
        positions = torch.arange(ids.shape[1], device=ids.device)
        h = self.token_embedding(ids) + self.position_embedding(positions)
        padding = ids == PAD
        attentions = []
        for layer in self.layers:
            h, attention = layer(h, padding)
            attentions.append(attention)
        logits = self.classifier(h[:, 0])
        return (logits, attentions) if return_attention else logits


class _EncoderLayer(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.feed_forward = nn.Sequential(nn.Linear(d_model, 2 * d_model), nn.ReLU(),
                                          nn.Linear(2 * d_model, d_model))

    def forward(self, h, padding):
        B, T, D = h.shape
        q, k, v = self.qkv(h).view(B, T, 3, self.n_heads, D // self.n_heads).unbind(dim=2)
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))            # (B, heads, T, d)
        scores = q @ k.transpose(-1, -2) / (D // self.n_heads) ** 0.5
        scores = scores.masked_fill(padding[:, None, None, :], float("-inf"))
        attention = scores.softmax(dim=-1)                           # (B, heads, T, T)
        mixed = (attention @ v).transpose(1, 2).reshape(B, T, D)
        h = self.norm1(h + self.out(mixed))
        return self.norm2(h + self.feed_forward(h)), attention


class Vocabulary:
    """Lower-case word tokens (regex ``\\w+``); the `size` most frequent words of the training
    texts get ids from 3 on, every other word is UNK; ``encode`` puts [CLS] first and pads."""

    def __init__(self, texts, size: int = 2000):
        texts, size = check_texts(texts, "texts"), check_count(size, "size", 0, 10 ** 7)
        counts = Counter(word for text in texts for word in self.split(text))
        self.words = ["[PAD]", "[UNK]", "[CLS]"] + [w for w, _ in counts.most_common(size)]
        self.index = {w: i for i, w in enumerate(self.words)}

    @staticmethod
    def split(text: str) -> list:
        return re.findall(r"\w+", text.lower())

    def __len__(self) -> int:
        return len(self.words)

    def encode(self, token_lists, max_len: int) -> torch.Tensor:
        """(B, max_len) ids: [CLS], then the first max_len - 1 tokens of each list, then PAD."""
        token_lists = [check_texts(tokens, f"token_lists[{i}]")
                       for i, tokens in enumerate(check_texts(token_lists, "token_lists", of=None))]
        max_len = check_budget(max_len, "max_len", per_unit=len(token_lists))
        ids = torch.zeros(len(token_lists), max_len, dtype=torch.long)
        for row, tokens in enumerate(token_lists):  # one short list per text
            ids[row, 0] = CLS
            codes = [self.index.get(t, UNK) for t in list(tokens)[:max_len - 1]]
            ids[row, 1:1 + len(codes)] = torch.tensor(codes, dtype=torch.long)
        return ids


def train_encoder(model: TinyEncoder, ids, labels, epochs: int = 10, lr: float = 3e-3,
                  batch_size: int = 32, seed: int = 0, progress=None,
                  weight_decay: float = 0.0) -> TinyEncoder:
    """AdamW on the cross-entropy (Adam when `weight_decay` is 0), shuffled by `seed`; returns
    the model in eval mode. Weight decay keeps the embeddings of rare words small, which matters
    with a few thousand texts. `progress` wraps the epoch range (e.g. ``lambda r: tqdm(r)``)."""
    ids, labels = _check_model_and_ids(model, ids), check_text_labels(labels, model, ids)
    epochs, seed = check_budget(epochs, "epochs", per_unit=ids.numel()), check_seed(seed)
    lr, batch_size = check_positive(lr, "lr"), check_count(batch_size, "batch_size")
    weight_decay = check_real(weight_decay, "weight_decay", low=0)
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    epochs_range = range(epochs) if progress is None else progress(range(epochs))
    model.train()
    for _ in epochs_range:
        order = torch.randperm(len(ids), generator=generator)
        for start in range(0, len(ids), batch_size):
            batch = order[start:start + batch_size]
            loss = nn.functional.cross_entropy(model(ids[batch]), labels[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    return model.eval()


def plant_token(token_lists, labels, token: str, label: int = 1, rate: float = 0.5, seed: int = 0):
    """A shortcut: insert `token` at a random position of a `rate` share of the texts whose label
    is `label`. Returns new lists and a boolean array of which texts got it."""
    token_lists = check_texts(token_lists, "token_lists", of=None)
    labels = check_labels_per_text(labels, token_lists)
    rate, rng = check_real(rate, "rate", 0, 1), np.random.default_rng(check_seed(seed))
    if not isinstance(token, str):
        raise TypeError(f"token must be a string (one word), got {type(token).__name__}")
    planted = (np.asarray(labels) == label) & (rng.random(len(token_lists)) < rate)
    lists = []
    for tokens, plant in zip(token_lists, planted):
        tokens = list(tokens)
        if plant:
            tokens.insert(int(rng.integers(0, min(len(tokens), 20) + 1)), token)
        lists.append(tokens)
    return lists, planted


# ---------------------------------------------------------------------- token attributions
def token_integrated_gradients(model: TinyEncoder, ids: torch.Tensor, target=None,
                               baseline_ids: torch.Tensor | None = None,
                               n_steps: int = 50) -> torch.Tensor:
    """Integrated gradients over the token embeddings, summed over the embedding axis, (B, T):

        IG_t = sum_d (e_td - e'_td) * integral_0^1 dF(e' + a (e - e')) / de_td  da

    with e = token_embedding(ids), e' the embedding of `baseline_ids` (default: PAD everywhere
    but [CLS]), Gauss-Legendre nodes, and positions and attention masks left as for `ids`.
    Equal to ``LayerIntegratedGradients(model, model.token_embedding).attribute(ids,
    baseline_ids, target=target, n_steps=n_steps).sum(-1)``.
    """
    ids = _check_model_and_ids(model, ids)
    if baseline_ids is None:
        baseline_ids = torch.where(ids == CLS, ids, torch.full_like(ids, PAD))
    baseline_ids = _check_model_and_ids(model, baseline_ids, "baseline_ids", shape=ids.shape)
    alphas, step_sizes = quadrature(n_steps)
    with torch.no_grad():
        e, e0 = model.token_embedding(ids), model.token_embedding(baseline_ids)
        if target is None:
            target = model(ids).argmax(dim=1)
    target = check_class_index(target, len(ids), model.classifier.out_features, items="texts")
    gradient_sum = torch.zeros_like(e)
    handle = None
    try:
        for alpha, weight in zip(alphas, torch.tensor(step_sizes, dtype=torch.float32).tolist()):
            point = (e0 + alpha * (e - e0)).requires_grad_(True)
            handle = model.token_embedding.register_forward_hook(lambda m, i, o: point)
            scores = model(ids).gather(1, target[:, None]).sum()
            handle.remove()
            gradient_sum += weight * torch.autograd.grad(scores, point)[0]
    finally:
        if handle is not None:
            handle.remove()
    return (gradient_sum * (e - e0)).sum(-1)


# ---------------------------------------------------------------------- validation
def _check_model_and_ids(model, ids, name="ids", shape=None):
    if not isinstance(check_module(model), TinyEncoder):
        raise TypeError(f"model must be a TinyEncoder, got {type(model).__name__}")
    check_indices(ids, name, upper=model.token_embedding.num_embeddings, ndim=2)
    if shape is not None and ids.shape != shape:
        raise ValueError(f"{name} has shape {tuple(ids.shape)}; expected {tuple(shape)} like ids")
    return ids


# ---------------------------------------------------------------------- a pretrained transformer
def attention_maps(model, tokenizer, text: str):
    """Every head's attention weights for one text, recomputed from its queries and keys:

        A^{l,h} = softmax(Q^{l,h} (K^{l,h})^T / sqrt(d_h))        (Vaswani et al. 2017, eq. 1)

    Q and K are read by forward hooks on the ``query`` and ``key`` projections of each layer of
    a BERT-style encoder (``model.encoder.layer[l].attention.self``). One text has no padding,
    so no mask is added. Returns a (layers, heads, tokens, tokens) float array, each row a
    distribution over the tokens it attends to, and the tokens; equal to the ``attentions``
    that ``model(**inputs, output_attentions=True)`` returns (the head view of BertViz draws
    the same numbers).
    """
    inputs, tokens = _one_text(model, tokenizer, text)
    projections = _projections(model, inputs)
    return _weights(model, projections).cpu().numpy(), tokens


def attention_norms(model, tokenizer, text: str):
    """How much each attended token moves each head's output, as a length (Kobayashi et al.
    2020, "Attention is not only a weight: analyzing transformers with vector norms", eq. 6):

        N^{l,h}_{ij} = || A^{l,h}_{ij} f^{l,h}(x_j) ||,    f^{l,h}(x) = (x W_V^h + b_V^h) W_O^h

    with W_V^h the head's slice of the ``value`` projection and W_O^h its block of the
    attention output's ``dense`` layer, so that sum_h sum_j A_ij f(x_j) + b_O is that layer's
    output for token i. A weight on a token whose transformed vector is short moves nothing:
    raw weights (``attention_maps``) and these norms can rank tokens differently. Returns a
    (layers, heads, tokens, tokens) float array of norms >= 0 and the tokens.
    """
    inputs, tokens = _one_text(model, tokenizer, text)
    projections = _projections(model, inputs)
    weights = _weights(model, projections)                              # (layers, heads, T, T)
    n_heads = model.config.num_attention_heads
    norms = []
    for l, layer in enumerate(model.encoder.layer):  # no autograd: the norms are read, not trained
        v = projections[("v", l)]                                       # (T, hidden), bias included
        v = v.view(len(v), n_heads, -1).transpose(0, 1)                 # (heads, T, d_h)
        w_out = layer.attention.output.dense.weight.detach()            # (hidden, hidden)
        w_out = w_out.view(w_out.shape[0], n_heads, -1).permute(1, 2, 0)  # (heads, d_h, hidden)
        lengths = torch.linalg.vector_norm(v @ w_out, dim=-1)           # (heads, T): ||f(x_j)||
        norms.append(weights[l] * lengths[:, None, :])
    return torch.stack(norms).cpu().numpy(), tokens


def _one_text(model, tokenizer, text):
    model, text = check_encoder(model), check_texts([text], "text")[0]
    check_callable(tokenizer, "tokenizer", "the tokenizer returned by load_text_transformer()")
    if not text.strip():
        raise ValueError("text is empty; pass a sentence with at least one word")
    inputs = tokenizer(text, return_tensors="pt", truncation=True)
    device = next(model.parameters()).device
    inputs = {name: value.to(device) for name, value in inputs.items()}
    return inputs, tokenizer.convert_ids_to_tokens(inputs["input_ids"][0].tolist())


def _weights(model, projections):
    """Each layer's (heads, T, T) attention weights from its captured queries and keys."""
    n_heads = model.config.num_attention_heads
    maps = []
    for l in range(len(model.encoder.layer)):
        q, k = projections[("q", l)], projections[("k", l)]             # (tokens, hidden)
        q = q.view(len(q), n_heads, -1).transpose(0, 1)                 # (heads, tokens, d_h)
        k = k.view(len(k), n_heads, -1).transpose(0, 1)
        maps.append((q @ k.transpose(1, 2) / math.sqrt(q.shape[-1])).softmax(dim=-1))
    return torch.stack(maps)


def _projections(model, inputs):
    """Run the model once; return {("q" | "k" | "v", layer): (tokens, hidden)} for one text."""
    captured, handles = {}, []

    def keep(kind, index):
        return lambda module, args, output: captured.__setitem__((kind, index), output[0])

    try:
        for index, layer in enumerate(model.encoder.layer):
            for kind, name in (("q", "query"), ("k", "key"), ("v", "value")):
                module = getattr(layer.attention.self, name)
                handles.append(module.register_forward_hook(keep(kind, index)))
        with torch.no_grad():
            model(**inputs)
    finally:
        for handle in handles:
            handle.remove()
    return captured


def embedding_integrated_gradients(forward, embeddings, baseline, steps: int = 50,
                                   batch_size: int = 16) -> torch.Tensor:
    """Integrated gradients over input embeddings (Sundararajan et al. 2017, eq. 1), shaped like them:

        IG_td = (e_td - e'_td) * integral_0^1 dF(e' + a (e - e')) / de_td  da

    approximated with Gauss-Legendre nodes and weights, as captum does by default. `forward` maps
    an (N, T, D) float tensor of input embeddings to one score per row, shape (N,): the logit
    or probability being explained, with everything else (positions, masks, the model's
    weights) held fixed inside it. The points of `batch_size` steps go through `forward` in one
    batch (N = batch_size * B, step-major), as captum's ``internal_batch_size`` does. `baseline` is e', shaped like `embeddings` (for a text model,
    the embeddings of [CLS] PAD ... PAD [SEP]). Completeness: the attributions sum to about
    F(e) - F(e'), closer as `steps` grows. For a model whose word embeddings feed the rest of
    the network (BERT's ``embeddings.word_embeddings``), equal to captum's
    ``LayerIntegratedGradients`` on that layer.
    """
    embeddings, baseline, steps, batch_size = check_embedding_ig(forward, embeddings, baseline, steps, batch_size)
    return _embedding_integrated_gradients(forward, embeddings.detach(), baseline.detach(), steps,
                                           batch_size)


def _embedding_integrated_gradients(forward, embeddings, baseline, steps, batch_size):
    alphas, weights = quadrature(steps)
    alphas = torch.tensor(alphas, dtype=embeddings.dtype, device=embeddings.device)
    weights = torch.tensor(weights, dtype=embeddings.dtype, device=embeddings.device)
    n, shape = len(embeddings), embeddings.shape
    gradient_sum = torch.zeros_like(embeddings)
    for start in range(0, steps, batch_size):
        a, w = alphas[start:start + batch_size], weights[start:start + batch_size]
        points = (baseline + a.view(-1, 1, 1, 1) * (embeddings - baseline)).reshape(-1, *shape[1:])
        points.requires_grad_(True)
        scores = check_scores_per_row(forward(points), len(points))
        weighted = (scores.view(len(a), n) * w[:, None]).sum()
        gradient_sum += torch.autograd.grad(weighted, points)[0].view(len(a), *shape).sum(0)
    return gradient_sum * (embeddings - baseline)


def sentence_embeddings(model, tokenizer, texts, batch_size: int = 32,
                        progress=None) -> np.ndarray:
    """Sentence embeddings as sentence-transformers makes them: mean-pool, then unit length.

        s = normalise( sum_t m_t h_t / sum_t m_t )

    with h_t the last layer's output for token t and m_t the attention mask (1 for real tokens,
    0 for padding); Reimers and Gurevych 2019. Returns an (n_texts, hidden) float array whose
    dot products are cosine similarities. `progress` wraps the batch range (e.g. ``tqdm``).
    """
    model, texts, batch_size = check_embedding_args(model, tokenizer, texts, batch_size)
    device = next(model.parameters()).device
    rows = []
    starts = range(0, len(texts), batch_size)
    for start in (progress(starts) if progress is not None else starts):
        inputs = tokenizer(texts[start:start + batch_size], return_tensors="pt", padding=True,
                           truncation=True)
        inputs = {name: value.to(device) for name, value in inputs.items()}
        with torch.no_grad():
            hidden = model(**inputs).last_hidden_state
        mask = inputs["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        rows.append(torch.nn.functional.normalize(pooled, dim=1).cpu().numpy())
    return np.concatenate(rows) if rows else np.zeros((0, model.config.hidden_size))


