"""Prototypes/criticisms, leave-one-out, influence functions and TracIn against their references."""
import copy

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from course_lib.examples import (fit_network, influence_functions, leave_one_out_influence,
                                 leave_one_out_network, mmd_critic, network_influence, tracin,
                                 tracin_self_influence, witness)
from course_lib.kernels import rbf_kernel


def _blobs(n=120, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    X = centres[rng.integers(0, 3, n)] + rng.normal(size=(n, 2))
    return X


def _indices(X, rows):
    return [int(np.flatnonzero((X == r).all(axis=1))[0]) for r in rows]


# ----------------------------------------------------------------------------- MMD-critic
@pytest.mark.parametrize("sigma, seed", [(1.0, 0), (0.5, 1), (2.5, 2)])
def test_mmd_critic_same_indices_as_mmd_critic_package(sigma, seed):
    MMDCritic = pytest.importorskip("mmd_critic").MMDCritic
    from mmd_critic.kernels import RBFKernel
    X = _blobs(seed=seed)
    reference = MMDCritic(X, RBFKernel(sigma=sigma))
    ref_protos, _ = reference.select_prototypes(6)
    ref_crits, _ = reference.select_criticisms(4, ref_protos)
    protos, crits = mmd_critic(X, 6, 4, gamma=1 / (2 * sigma ** 2))
    assert list(protos) == _indices(X, ref_protos)
    assert list(crits) == _indices(X, ref_crits)


def test_first_prototype_maximises_mean_kernel_and_greedy_gain_by_brute_force():
    X = _blobs(60, seed=3)
    K = rbf_kernel(X, gamma=0.3)
    protos, _ = mmd_critic(X, 3, gamma=0.3)
    assert protos[0] == np.argmax(K.mean(axis=0))

    def mmd2(S):  # the MMD² between the data and the prototypes S
        S = list(S)
        return K.mean() - 2 * K[:, S].mean() + K[np.ix_(S, S)].mean()

    # each greedy step is the single addition that lowers MMD² the most
    for m in range(1, 3):
        others = [c for c in range(len(X)) if c not in protos[:m]]
        best = min(others, key=lambda c: mmd2(list(protos[:m]) + [c]))
        assert protos[m] == best


def test_criticisms_are_largest_witness_outside_prototypes():
    X = np.vstack([_blobs(80, seed=4), [[12.0, 12.0]]])   # an outlier far from everything
    protos, crits = mmd_critic(X, 3, 2, gamma=0.5)
    w = np.abs(witness(rbf_kernel(X, gamma=0.5), protos))
    assert not set(crits) & set(protos)
    assert w[crits[0]] == pytest.approx(max(w[i] for i in range(len(X)) if i not in protos))


def test_wide_kernel_gives_central_prototypes_and_checks():
    X = _blobs(90, seed=5)
    with pytest.raises(ValueError, match="n_prototypes"):
        mmd_critic(X, 0)
    with pytest.raises(ValueError, match="at most len"):
        mmd_critic(X, 80, 20)
    with pytest.raises(ValueError, match="2-D"):
        mmd_critic(X[:, 0], 2)


# ----------------------------------------------------------------------------- influence
def _logistic_data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = (X @ [1.5, -1.0, 0.5] + 0.8 * rng.normal(size=n) > 0).astype(int)
    X_test = rng.normal(size=(8, 3))
    y_test = (X_test @ [1.5, -1.0, 0.5] > 0).astype(int)
    return X, y, X_test, y_test


def _make():
    return LogisticRegression(C=1.0, tol=1e-12, max_iter=10_000)


def test_influence_functions_match_leave_one_out_retraining():
    X, y, X_test, y_test = _logistic_data()
    loo = leave_one_out_influence(_make, X, y, X_test, y_test)
    est = influence_functions(_make().fit(X, y), X, y, X_test, y_test)
    assert est.shape == loo.shape == (60, 8)
    r = np.corrcoef(loo.ravel(), est.ravel())[0, 1]
    assert r > 0.99
    # first-order: the error is second order, small next to the effects themselves
    assert np.abs(est - loo).max() < 0.2 * np.abs(loo).max()


def test_influence_functions_exact_for_removal_of_zero_weight_direction():
    # duplicate a point: removing one copy changes the fit by a tiny amount the estimate gets
    X, y, X_test, y_test = _logistic_data(200, seed=1)
    loo = leave_one_out_influence(_make, X, y, X_test, y_test)
    est = influence_functions(_make().fit(X, y), X, y, X_test, y_test)
    assert np.corrcoef(loo.ravel(), est.ravel())[0, 1] > 0.995   # larger n, closer to linear


def test_influence_sign_mislabelled_point_hurts():
    X, y, X_test, y_test = _logistic_data(80, seed=2)
    y = y.copy()
    far = np.argmax(X @ [1.5, -1.0, 0.5])       # the most confidently positive row
    y[far] = 0                                   # mislabel it
    est = influence_functions(_make().fit(X, y), X, y, X_test, y_test)
    # removing the mislabelled row lowers the total test loss: negative influence sum
    assert est[far].sum() < 0
    assert est.sum(axis=1).argmin() == far


def test_influence_checks():
    X, y, X_test, y_test = _logistic_data()
    with pytest.raises(ValueError, match="y has 59 entries but X has 60 rows"):
        influence_functions(_make().fit(X, y), X, y[:-1], X_test, y_test)
    with pytest.raises(TypeError, match="LogisticRegression"):
        influence_functions(object(), X, y, X_test, y_test)
    with pytest.raises(TypeError, match="make_model"):
        leave_one_out_influence(_make(), X, y, X_test, y_test)


# ----------------------------------------------------------------------------- TracIn
class _Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 6)
        self.fc = nn.Linear(6, 2)

    def forward(self, x):
        return self.fc(torch.tanh(self.hidden(x)))


def _trained_checkpoints(seed=0):
    torch.manual_seed(seed)
    X = torch.randn(40, 4)
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).long()
    model = _Tiny()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    checkpoints = []
    for epoch in range(3):
        for i in range(0, 40, 10):
            opt.zero_grad()
            nn.functional.cross_entropy(model(X[i:i + 10]), y[i:i + 10]).backward()
            opt.step()
        checkpoints.append((copy.deepcopy(model.state_dict()), 0.1))
    return model, checkpoints, X, y


@pytest.mark.parametrize("layers", [None, ["fc"]])
def test_tracin_equals_captum_tracincp(tmp_path, layers):
    captum_influence = pytest.importorskip("captum.influence")
    model, checkpoints, X, y = _trained_checkpoints()
    loader = DataLoader(TensorDataset(X, y), batch_size=16, shuffle=False)
    X_test, y_test = X[:5] + 0.1, y[:5]
    ours = tracin(model, checkpoints, loader, X_test, y_test, layers=layers)
    ours_self = tracin_self_influence(model, checkpoints, loader, layers=layers)

    paths = []
    for k, (state, rate) in enumerate(checkpoints):
        paths.append(str(tmp_path / f"c{k}.pt"))
        torch.save({"state": state, "rate": rate}, paths[-1])

    def load(net, path):
        saved = torch.load(path, weights_only=False)
        net.load_state_dict(saved["state"])
        return saved["rate"]

    reference = captum_influence.TracInCP(
        model, TensorDataset(X, y), paths, checkpoints_load_func=load, layers=layers,
        loss_fn=nn.CrossEntropyLoss(reduction="none"), batch_size=16)
    theirs = reference.influence((X_test, y_test))
    theirs_self = reference.self_influence()
    torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(ours_self, theirs_self, rtol=1e-5, atol=1e-6)


def test_tracin_self_influence_is_diagonal_and_checks():
    model, checkpoints, X, y = _trained_checkpoints(1)
    loader = DataLoader(TensorDataset(X, y), batch_size=7)
    full = tracin(model, checkpoints, loader, X, y)
    torch.testing.assert_close(torch.diagonal(full), tracin_self_influence(model, checkpoints, loader))
    assert torch.allclose(full, full.T, atol=1e-6)
    with pytest.raises(TypeError, match="state_dict, learning_rate"):
        tracin(model, [model.state_dict()], loader, X, y)
    with pytest.raises(ValueError, match="no submodule"):
        tracin(model, checkpoints, loader, X, y, layers=["conv9"])


def test_tracin_equals_captum_on_the_shortcut_cnn(tmp_path):
    """The small CNN of notebook 05 (batch norm in eval mode), two checkpoints a few SGD steps
    apart, all parameters: the same scores as captum's TracInCP."""
    captum_influence = pytest.importorskip("captum.influence")
    from course_lib.shortcut import make_shortcut_data, small_cnn, to_tensor
    data = make_shortcut_data(16, size=32, stamp="cats", seed=0)
    X, y = to_tensor(data.images), torch.as_tensor(data.labels).long()
    torch.manual_seed(0)
    model = small_cnn(width=4)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    checkpoints, paths = [], []
    for k in range(2):
        model.train()
        opt.zero_grad()
        nn.functional.cross_entropy(model(X), y).backward()
        opt.step()
        checkpoints.append((copy.deepcopy(model.state_dict()), 0.05))
        paths.append(str(tmp_path / f"c{k}.pt"))
        torch.save(checkpoints[-1][0], paths[-1])
    model.eval()
    loader = DataLoader(TensorDataset(X, y), batch_size=8)
    ours = tracin(model, checkpoints, loader, X[:3], y[:3])

    def load(net, path):
        net.load_state_dict(torch.load(path))
        return 0.05

    reference = captum_influence.TracInCP(model, TensorDataset(X, y), paths, checkpoints_load_func=load,
                                          loss_fn=nn.CrossEntropyLoss(reduction="none"), batch_size=8)
    torch.testing.assert_close(ours, reference.influence((X[:3], y[:3])), rtol=1e-4, atol=1e-5)


# ----------------------------------------------------------------------------- MMD-critic, log det
def test_logdet_criticisms_are_the_greedy_maximisers_of_witness_plus_log_det():
    """Each greedy step of regularizer="logdet" adds the row that maximises
    sum |witness| + log det K_CC, computed here from the determinant itself."""
    X = _blobs(70, seed=5)
    gamma = 0.4
    K = rbf_kernel(X, gamma=gamma)
    protos, crits = mmd_critic(X, 3, 4, gamma=gamma, regularizer="logdet")
    score = np.abs(witness(K, protos))

    def objective(C):
        return score[C].sum() + np.linalg.slogdet(K[np.ix_(C, C)])[1]

    for m in range(4):
        others = [c for c in range(len(X)) if c not in protos and c not in crits[:m]]
        best = max(others, key=lambda c: objective(list(crits[:m]) + [c]))
        assert crits[m] == best
    plain = mmd_critic(X, 3, 4, gamma=gamma)[1]
    assert crits[0] == plain[0] and list(crits) != list(plain)   # the term changes later choices


def test_package_logdet_is_our_unregularised_choice_for_rbf():
    """mmd-critic's regularization="logdet" subtracts log k(c, c), which is 0 for an RBF kernel:
    its criticisms are our regularizer=None ones."""
    MMDCritic = pytest.importorskip("mmd_critic").MMDCritic
    from mmd_critic.kernels import RBFKernel
    X = _blobs(seed=6)
    reference = MMDCritic(X, RBFKernel(sigma=1.0))
    ref_protos, _ = reference.select_prototypes(5)
    ref_crits, _ = reference.select_criticisms(4, ref_protos, regularization="logdet")
    assert _indices(X, ref_crits) == list(mmd_critic(X, 5, 4, gamma=0.5)[1])
    assert _indices(X, ref_crits) != list(mmd_critic(X, 5, 4, gamma=0.5, regularizer="logdet")[1])


# ----------------------------------------------------------------------------- TracIn, cosine
def test_tracin_normalize_is_the_sum_of_cosines():
    model, checkpoints, X, y = _trained_checkpoints(2)
    loader = DataLoader(TensorDataset(X, y), batch_size=16)
    ours = tracin(model, checkpoints, loader, X[:3], y[:3], normalize=True)
    expected = torch.zeros(3, len(X))
    for state, rate in checkpoints:
        model.load_state_dict(state)
        grads = []
        for i in range(len(X)):
            model.zero_grad()
            nn.functional.cross_entropy(model(X[i:i + 1]), y[i:i + 1]).backward()
            grads.append(torch.cat([p.grad.flatten() for p in model.parameters()]))
        G = torch.stack(grads)
        G = G / G.norm(dim=1, keepdim=True)
        expected += rate * G[:3] @ G.T
    torch.testing.assert_close(ours, expected, rtol=1e-5, atol=1e-6)
    raw = tracin(model, checkpoints, loader, X[:3], y[:3])
    assert not torch.allclose(raw, ours)
    assert ours.abs().max() <= sum(rate for _, rate in checkpoints) + 1e-6   # |cos| <= 1


# ----------------------------------------------------------------------------- influence, networks
def _network_data(seed=0, n=30):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] - X[:, 1] + 0.5 * rng.normal(size=n) > 0).astype(int)
    return X, y, X[:6] + 0.3, y[:6]


def test_network_influence_matches_warm_leave_one_out_for_a_convex_network():
    """A network without hidden layer is a (two-logit) logistic regression: the objective is
    strictly convex with l2 > 0, so warm- and cold-started leave-one-out agree and the
    influence function predicts it to second order."""
    X, y, X_test, y_test = _network_data(n=60)
    torch.manual_seed(0)
    net = fit_network(nn.Linear(3, 2), X, y, l2=1.0)
    estimate = network_influence(net, X, y, X_test, y_test, l2=1.0)
    warm = leave_one_out_network(net, X, y, X_test, y_test, l2=1.0)
    assert np.corrcoef(warm.ravel(), estimate.ravel())[0, 1] > 0.99
    cold = np.empty_like(warm)                   # refit from zero without row i
    base = nn.functional.cross_entropy(net(torch.tensor(X_test)), torch.tensor(y_test), reduction="none")
    for i in range(len(X)):
        keep = np.arange(len(X)) != i
        other = nn.Linear(3, 2).double()
        nn.init.zeros_(other.weight), nn.init.zeros_(other.bias)
        fit_network(other, X[keep], y[keep], l2=1.0)
        with torch.no_grad():
            cold[i] = (nn.functional.cross_entropy(other(torch.tensor(X_test)), torch.tensor(y_test),
                                                   reduction="none") - base).numpy()
    np.testing.assert_allclose(warm, cold, atol=1e-6)


def test_network_influence_removal_sign_and_damping():
    """Removing a row of the test point's own label, close to it, raises its loss (positive);
    damping shrinks the estimate towards a plain gradient product."""
    X, y, _, _ = _network_data(1)
    torch.manual_seed(1)
    net = fit_network(nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)), X, y, l2=0.5)
    estimate = network_influence(net, X, y, X[:1], y[:1], l2=0.5)
    assert estimate[0, 0] > 0                       # a row helps its own prediction
    damped = network_influence(net, X, y, X[:1], y[:1], l2=0.5, damping=1e3)
    assert np.abs(damped).max() < np.abs(estimate).max()
    loo = leave_one_out_network(net, X, y, X[:1], y[:1], l2=0.5)
    assert np.corrcoef(loo.ravel(), estimate.ravel())[0, 1] > 0.9
