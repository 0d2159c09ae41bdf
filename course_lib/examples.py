"""Explaining with examples: prototypes and criticisms, influential training points.

Two questions answered by pointing at data instead of at features:

* *What does the data look like?*  MMD-critic (Kim, Khanna and Koyejo, "Examples are not
  enough, learn to criticize!", NeurIPS 2016) picks **prototypes**, a few rows whose kernel
  mean matches the data's (small MMD²), and **criticisms**, rows the prototypes explain worst
  (large witness function).
* *Which training points made this prediction?*  Exact **leave-one-out** retraining (the
  ground truth), **influence functions** (Koh and Liang, "Understanding black-box predictions
  via influence functions", ICML 2017: one Hessian-inverse-vector product instead of n
  retrainings, exact to first order for convex losses, fragile for deep nets, Basu, Pope and
  Feizi, ICLR 2021) and **TracIn** (Pruthi, Liu, Kale and Sundararajan, NeurIPS 2020: sum over
  saved checkpoints of learning rate x gradient dot product).
"""
from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn

from ._validation import (check_budget, check_callable, check_checkpoints, check_choice, check_count,
                          check_fitted, check_instance, check_known_labels, check_length, check_module,
                          check_nearest, check_real, check_row_indices, check_rows, check_targets,
                          check_tensor, model_outputs)
from .kernels import rbf_kernel

__all__ = ["mmd_critic", "witness", "leave_one_out_influence", "influence_functions",
           "log_loss_per_row", "fit_network", "network_influence", "leave_one_out_network",
           "tracin", "tracin_self_influence", "nearest_examples"]


# ----------------------------------------------------------------------------- MMD-critic
def mmd_critic(X, n_prototypes: int, n_criticisms: int = 0, gamma: float | None = None,
               regularizer: str | None = None):
    """Greedy prototypes and criticisms with the RBF kernel k(x, y) = exp(-gamma ||x - y||²).

    Prototypes: start from S = {} and add, n_prototypes times, the row c with the largest gain

        gain(c | S) = 2/n sum_i k(x_i, c) - (2 sum_{s in S} k(s, c) + k(c, c)) / (|S| + 1)

    (Kim et al.'s greedy step on J(S) = 2/(n|S|) sum_{i, s} k(x_i, s) - 1/|S|² sum_{s, t} k(s, t),
    i.e. minus MMD² between the data and S, up to a constant). Criticisms: greedily, the
    non-prototype row c raising

        L(C) = sum_{c in C} |witness(c)|  +  r(C),   witness(c) = mean_i k(x_i, c) - mean_{s in S} k(s, c),

    most. ``regularizer=None``: r = 0, so the criticisms are simply the rows of largest |witness|
    (often near-copies of each other). ``"logdet"``: Kim et al.'s diversity term r(C) = log det K_CC,
    whose gain for c is log(k(c, c) - k_cC K_CC^-1 k_Cc): minus infinity for a copy of a chosen
    criticism, 0 for a row far from all of them. Ties go to the lower index.
    Returns (prototype_idx, criticism_idx), each in order of choice.
    """
    X, _ = check_rows(X, "X")
    n = check_budget(len(X), "len(X) (the kernel matrix is n x n)", per_unit=len(X))
    n_prototypes = check_count(n_prototypes, "n_prototypes", minimum=1)
    n_criticisms = check_count(n_criticisms, "n_criticisms", minimum=0)
    if regularizer is not None:
        check_choice(regularizer, "regularizer", ("logdet",))
    if n_prototypes + n_criticisms > n:
        raise ValueError(f"n_prototypes + n_criticisms must be at most len(X) = {n}, got "
                         f"{n_prototypes} + {n_criticisms}")
    K = rbf_kernel(X, gamma=gamma)
    data_term = 2.0 * K.sum(axis=0) / n
    chosen: list[int] = []
    for _ in range(n_prototypes):
        gain = data_term - (2.0 * K[chosen].sum(axis=0) + np.diag(K)) / (len(chosen) + 1)
        gain[chosen] = -np.inf
        chosen.append(int(np.argmax(gain)))
    prototypes = np.array(chosen)
    score = np.abs(witness(K, prototypes))
    score[prototypes] = -np.inf
    if regularizer is None:
        return prototypes, np.argsort(-score, kind="stable")[:n_criticisms]
    criticisms: list[int] = []
    for _ in range(n_criticisms):
        gain = score + _log_det_gain(K, criticisms)
        gain[criticisms] = -np.inf
        criticisms.append(int(np.argmax(gain)))
    return prototypes, np.array(criticisms, dtype=int)


def _log_det_gain(K, chosen):
    """log det K_{C+c, C+c} - log det K_CC for every c: log of the Schur complement
    k(c, c) - k_cC K_CC^-1 k_Cc (the part of c that the chosen rows do not already span)."""
    with np.errstate(divide="ignore"):
        if not chosen:
            return np.log(np.diag(K))
        K_C = K[np.ix_(chosen, chosen)]
        k = K[chosen]                                   # (|C|, n)
        residual = np.diag(K) - np.sum(k * np.linalg.solve(K_C, k), axis=0)
        return np.log(np.clip(residual, 0.0, None))


def witness(K, prototype_idx) -> np.ndarray:
    """witness(c) = mean_i K[i, c] - mean_{s in prototypes} K[s, c]: positive where the data is
    denser than the prototypes suggest, negative where the prototypes over-represent it."""
    K, _ = check_rows(K, "K", n_features=len(K), expected="a kernel matrix is square")
    return K.mean(axis=0) - K[check_row_indices(prototype_idx, len(K))].mean(axis=0)


# ----------------------------------------------------------------------------- influence
def log_loss_per_row(model, X, y) -> np.ndarray:
    """-log p_model(y_i | x_i) for each row (the loss whose change influence measures)."""
    check_fitted(model)
    X, y = check_rows(X, "X")[0], check_length(y, len(X), "y")
    proba = model_outputs(model.predict_proba(X), len(X), "model.predict_proba", len(model.classes_))
    column = np.searchsorted(model.classes_, check_known_labels(y, model.classes_))
    return -np.log(np.clip(proba[np.arange(len(proba)), column], 1e-300, None))


def leave_one_out_influence(make_model, X, y, X_test, y_test) -> np.ndarray:
    """The ground truth: retrain without each training row i and record the change of each
    test loss, ``L(z_test; theta_{-i}) - L(z_test; theta)``. Shape (n_train, n_test); positive
    means row i *helped* that test point (removing it hurts). Costs n + 1 fits."""
    X = check_rows(X, "X")[0]
    X_test = check_rows(X_test, "X_test", X.shape[1], "X has that many columns")[0]
    y, y_test = check_length(y, len(X), "y"), check_length(y_test, len(X_test), "y_test", "X_test")
    check_callable(make_model, "make_model", "lambda: LogisticRegression(C=1.0)")
    check_budget(len(X), "len(X)", per_unit=len(X_test))   # one refit per training row
    base = log_loss_per_row(make_model().fit(X, y), X_test, y_test)
    keep = np.ones(len(X), dtype=bool)
    change = np.empty((len(X), len(X_test)))
    for i in range(len(X)):
        keep[i] = False
        change[i] = log_loss_per_row(make_model().fit(X[keep], y[keep]), X_test, y_test) - base
        keep[i] = True
    return change


def influence_functions(model, X, y, X_test, y_test, l2: float | None = None) -> np.ndarray:
    """Koh and Liang's estimate of :func:`leave_one_out_influence` for a fitted binary
    logistic regression, without retraining:

        L(z_test; theta_{-i}) - L(z_test; theta)  ~  grad L(z_test)^T  H^{-1}  grad L(z_i)

    theta = (w, b) minimises sum_i L(z_i) + l2/2 ||w||² (scikit-learn's objective with
    l2 = 1 / C; the intercept is not penalised), H is that objective's Hessian
    sum_i p_i (1 - p_i) x~_i x~_i^T + l2 diag(1, ..., 1, 0) with x~ = (x, 1), and
    grad L(z) = (p - y) x~. Exact up to second order for this convex loss. Shape (n_train, n_test).
    """
    coef = np.asarray(getattr(model, "coef_", np.zeros((0, 0))))
    if coef.shape[0] != 1:
        raise TypeError("model must be a fitted binary LogisticRegression (coef_ of shape (1, M))")
    X, X_test = (check_rows(A, name, coef.shape[1], "the model has that many coefficients")[0]
                 for A, name in ((X, "X"), (X_test, "X_test")))
    y, y_test = check_length(y, len(X), "y"), check_length(y_test, len(X_test), "y_test", "X_test")
    l2 = 1.0 / model.C if l2 is None else check_real(l2, "l2", low=0)
    with_bias = bool(getattr(model, "fit_intercept", True))

    def design(A):
        return np.column_stack([A, np.ones(len(A))]) if with_bias else A

    def gradients(A, labels):  # one row per example: (p - y) x~
        p = model.predict_proba(A)[:, 1]
        return (p - (labels == model.classes_[1]))[:, None] * design(A)

    p = model.predict_proba(X)[:, 1]
    D = design(X)
    penalty = np.full(D.shape[1], l2)
    if with_bias:
        penalty[-1] = 0.0
    H = (D * (p * (1 - p))[:, None]).T @ D + np.diag(penalty)
    H_inv_test = np.linalg.solve(H, gradients(X_test, y_test).T)   # (P, n_test)
    return gradients(X, y) @ H_inv_test


# ----------------------------------------------------------------------------- influence, networks
def fit_network(model: nn.Module, X, y, l2: float, max_iter: int = 500) -> nn.Module:
    """Fit a small classifier (rows -> class logits) to a minimum of the training objective

        R(theta) = sum_i L(z_i; theta) + l2/2 ||theta||²     (L = cross-entropy, every parameter)

    by full-batch L-BFGS in float64, starting from the model's current parameters (so a second
    call warm-starts). Returns the model, in float64, in eval mode."""
    check_module(model)
    X, y = _network_data(X, y)
    l2 = check_real(l2, "l2", low=0)
    return _fit_network(model, X, y, l2, check_count(max_iter, "max_iter"))


def network_influence(model: nn.Module, X, y, X_test, y_test, l2: float,
                      damping: float = 0.0) -> np.ndarray:
    """Koh and Liang's influence functions for a network fitted by :func:`fit_network`:

        L(z_test; theta_{-i}) - L(z_test; theta)  ~  grad L(z_test)^T (H + damping I)^{-1} grad L(z_i)

    with H the exact Hessian of the training objective R (sum of losses plus l2/2 ||theta||²)
    over every parameter (small networks only: H is P x P). Koh and Liang write it as
    I_up,loss(z, z_test) = -grad L(z_test)^T H_mean^{-1} grad L(z) for *up-weighting* z by eps
    (H_mean = H / n); removing z is eps = -1/n, which gives the line above. For a non-convex
    loss H may be indefinite at the point training stopped; `damping` (Koh and Liang add 0.01)
    makes the solve well posed, at the price of a bias (Basu, Pope and Feizi 2021).
    Shape (n_train, n_test); positive: removing row i raises that test loss. The model is
    converted to float64 in place, as :func:`fit_network` leaves it."""
    check_module(model)
    X, y = _network_data(X, y)
    X_test, y_test = _network_data(X_test, y_test, "X_test", "y_test", X.shape[1])
    l2, damping = check_real(l2, "l2", low=0), check_real(damping, "damping", low=0)
    check_budget(_n_parameters(model), "the model's parameter count (H is P x P)",
                 per_unit=_n_parameters(model))
    from torch.func import functional_call, grad, hessian, vmap

    model = model.double().eval()
    flat = torch.cat([p.detach().flatten() for _, p in model.named_parameters()])

    def unflatten(v):
        out, start = {}, 0
        for name, p in model.named_parameters():
            out[name] = v[start:start + p.numel()].view_as(p)
            start += p.numel()
        return out

    def loss(v, inputs, targets):
        return nn.functional.cross_entropy(functional_call(model, unflatten(v), (inputs,)),
                                           targets, reduction="sum")

    H = hessian(lambda v: loss(v, X, y) + l2 / 2 * v @ v)(flat)
    H = H + damping * torch.eye(len(flat), dtype=H.dtype)
    per_row = vmap(grad(lambda v, x, t: loss(v, x[None], t[None])), in_dims=(None, 0, 0))
    g_train, g_test = per_row(flat, X, y), per_row(flat, X_test, y_test)
    return _finite(g_train @ torch.linalg.solve(H, g_test.T)).numpy()


def leave_one_out_network(model: nn.Module, X, y, X_test, y_test, l2: float,
                          max_iter: int = 500) -> np.ndarray:
    """Leave-one-out for a network fitted by :func:`fit_network`, warm-started as Koh and
    Liang do: for each training row i, refit without it *starting from the fitted theta*, so
    that the retraining stays in the same basin (a cold start may land in another minimum and
    measure the seed, not row i). Shape (n_train, n_test), ``L(z_test; theta_{-i}) -
    L(z_test; theta)``; the model itself keeps its fitted parameters (float64)."""
    check_module(model)
    X, y = _network_data(X, y)
    X_test, y_test = _network_data(X_test, y_test, "X_test", "y_test", X.shape[1])
    l2, max_iter = check_real(l2, "l2", low=0), check_count(max_iter, "max_iter")
    check_budget(len(X), "len(X)", per_unit=len(X_test) + _n_parameters(model))
    model = model.double().eval()
    fitted = copy.deepcopy(model.state_dict())

    def test_loss(net):
        with torch.no_grad():
            return nn.functional.cross_entropy(net(X_test), y_test, reduction="none").numpy()

    base = test_loss(model)
    keep = torch.ones(len(X), dtype=torch.bool)
    change = np.empty((len(X), len(X_test)))
    net = copy.deepcopy(model)
    for i in range(len(X)):
        keep[i] = False
        net.load_state_dict(fitted)
        change[i] = test_loss(_fit_network(net, X[keep], y[keep], l2, max_iter)) - base
        keep[i] = True
    return change


def _fit_network(model, X, y, l2, max_iter):
    model = model.double().train()
    optimiser = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=max_iter, history_size=50,
                                  tolerance_grad=1e-9, tolerance_change=1e-14,
                                  line_search_fn="strong_wolfe")

    def closure():
        optimiser.zero_grad()
        objective = nn.functional.cross_entropy(model(X), y, reduction="sum")
        objective = objective + l2 / 2 * sum((p * p).sum() for p in model.parameters())
        objective.backward()
        return objective

    threads = torch.get_num_threads()
    torch.set_num_threads(1)          # tiny tensors: threads cost more than they save
    try:
        optimiser.step(closure)
    finally:
        torch.set_num_threads(threads)
    return model.eval()


def _n_parameters(model):
    return sum(p.numel() for p in model.parameters())


def _network_data(X, y, x_name="X", y_name="y", n_features=None):
    """(X as a float64 tensor, y as int64 class indices) from arrays."""
    X = check_rows(X, x_name, n_features, "X has that many columns" if n_features else "")[0]
    y = check_length(y, len(X), y_name, x_name)
    if y.dtype.kind not in "iuf" or not np.all(np.isfinite(y)) or np.any(y % 1 != 0) or np.min(y) < 0:
        raise ValueError(f"{y_name} must hold class indices 0, 1, ..., got {np.unique(y)[:5]}")
    return torch.tensor(X, dtype=torch.float64), torch.tensor(y).long()


# ----------------------------------------------------------------------------- TracIn
def tracin(model: nn.Module, checkpoints, train_loader, test_inputs, test_targets,
           layers=None, loss_fn=None, normalize: bool = False) -> torch.Tensor:
    """TracInCP: influence of each training example on each test example,

        TracIn(z, z_test) = sum_c eta_c  grad_theta L(z; theta_c) . grad_theta L(z_test; theta_c)

    over the saved checkpoints theta_c with learning rates eta_c. Pruthi et al. derive it for
    SGD steps (each step changes the test loss by about -eta grad L(z_test) . grad L(z_t));
    checkpoints of other optimisers make it a heuristic. ``normalize=True`` divides each gradient
    by its norm first (the cosine form of Hanawa et al. 2021 and Barshan et al.'s RelatIF 2020):
    raw dot products favour training examples with large gradients, whatever they look like.
    `checkpoints`: a list of (state_dict, learning_rate) pairs. `train_loader`: batches
    (inputs, targets), not shuffled. `layers`: names of submodules whose parameters count (default: all). `loss_fn`: the
    per-example loss (default cross-entropy). The model is used in eval mode. Returns a
    (n_test, n_train) tensor: large positive = proponent, large negative = opponent.
    """
    checkpoints, train_loader = _check_tracin(model, checkpoints, train_loader)
    test_inputs = check_tensor(test_inputs, "test_inputs")
    if test_inputs.is_floating_point():            # token ids stay integers; pixels match the weights
        check_tensor(test_inputs, "test_inputs", like=next(model.parameters()))
    test_targets = check_targets(test_targets, len(test_inputs))
    normalize = check_instance(normalize, "normalize", bool)
    total = None
    for state, rate in checkpoints:
        model.load_state_dict(state)
        g_test = _per_example_gradients(model, [(test_inputs, test_targets)], layers, loss_fn)
        g_train = _per_example_gradients(model, train_loader, layers, loss_fn)
        if normalize:   # clamp: a zero gradient stays zero instead of NaN
            g_test = g_test / g_test.norm(dim=1, keepdim=True).clamp_min(1e-30)
            g_train = g_train / g_train.norm(dim=1, keepdim=True).clamp_min(1e-30)
        term = rate * g_test @ g_train.T
        total = term if total is None else total + term
    return _finite(total)


def tracin_self_influence(model: nn.Module, checkpoints, train_loader, layers=None,
                          loss_fn=None) -> torch.Tensor:
    """TracIn(z, z) = sum_c eta_c ||grad L(z; theta_c)||² for each training example: large for
    examples the model found hard (mislabelled, atypical) or learned by a shortcut late."""
    checkpoints, train_loader = _check_tracin(model, checkpoints, train_loader)
    total = None
    for state, rate in checkpoints:
        model.load_state_dict(state)
        g = _per_example_gradients(model, train_loader, layers, loss_fn)
        term = rate * (g * g).sum(dim=1)
        total = term if total is None else total + term
    return _finite(total)


def _per_example_gradients(model, batches, layers, loss_fn):
    """(n, P) matrix of flattened per-example loss gradients (torch.func: grad inside vmap)."""
    from torch.func import functional_call, grad, vmap

    loss_fn = loss_fn or nn.functional.cross_entropy
    names = _parameter_names(model, layers)
    params = {name: p.detach() for name, p in model.named_parameters() if name in names}
    buffers = {name: b.detach() for name, b in model.named_buffers()}

    def loss_of_one(p, x, target):
        out = functional_call(model, (p, buffers), (x[None],))
        return loss_fn(out, target[None])

    rows = []
    was_training = model.training
    model.eval()
    try:
        for inputs, targets in batches:
            g = vmap(grad(loss_of_one), in_dims=(None, 0, 0))(params, inputs, targets)
            rows.append(torch.cat([g[name].flatten(start_dim=1) for name in params], dim=1))
    finally:
        model.train(was_training)
    if not rows:
        raise ValueError("train_loader gave no batches; pass the training examples in batches")
    return torch.cat(rows)


def _parameter_names(model, layers):
    if layers is None:
        return {name for name, p in model.named_parameters() if p.requires_grad}
    if isinstance(layers, str):
        raise TypeError(f"layers must be a list of submodule names, e.g. ['fc'], got {layers!r}")
    names = set()
    for layer in layers:
        try:
            module = model.get_submodule(layer)
        except AttributeError:
            raise ValueError(f"layers: the model has no submodule {layer!r}; "
                             f"choose from {[n for n, _ in model.named_modules() if n]}") from None
        names |= {f"{layer}.{n}" for n, p in module.named_parameters() if p.requires_grad}
    return names


def _check_tracin(model, checkpoints, train_loader):
    """(checkpoints as (state_dict, rate) pairs, train_loader) after checking the three."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not hasattr(train_loader, "__iter__") or isinstance(train_loader, torch.Tensor):
        raise TypeError("train_loader must be an iterable of (inputs, targets) batches, e.g. a "
                        f"DataLoader with shuffle=False, got {type(train_loader).__name__}")
    return check_checkpoints(checkpoints), train_loader


def _finite(influence):
    if not torch.isfinite(influence).all():
        raise ValueError("the loss gradients hold NaN or infinite values; check the model and "
                         "the checkpoints on these examples")
    return influence


# ----------------------------------------------------------------------------- nearest examples
def nearest_examples(embeddings, labels, query, k: int = 5):
    """The `k` labelled examples nearest to `query`: a graph of nearest reference examples.

        sim(q, x_i) = q . x_i / (|q| |x_i|)         (cosine similarity of the embeddings)

    An explanation by analogy ("this review reads like these five"): it shows what the embedding
    puts close, not why a classifier decided. Returns ``(indices, similarities, neighbour_labels)``
    ordered from the most similar; ties go to the lower index. Equal to scikit-learn's
    ``NearestNeighbors(metric="cosine")``, whose distance is 1 - sim.
    """
    embeddings, labels, query, k = check_nearest(embeddings, labels, query, k)
    return _nearest_examples(embeddings, labels, query, k)


def _nearest_examples(embeddings, labels, query, k):
    norms = np.linalg.norm(embeddings, axis=1) * np.linalg.norm(query)
    similarities = embeddings @ query / np.where(norms > 0, norms, 1.0)
    order = np.lexsort((np.arange(len(similarities)), -similarities))[:k]
    return order, similarities[order], labels[order]


# ----------------------------------------------------------------------------- checks


