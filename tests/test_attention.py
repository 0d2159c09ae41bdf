"""Attention rollout and flow on graphs solved by hand, and token IG equal to captum's LIG."""
import numpy as np
import pytest
import torch

from course_lib import attention as at


def uniform_layers(n_layers, heads, T):
    return [torch.full((heads, T, T), 1.0 / T) for _ in range(n_layers)]


def test_rollout_without_residual_is_the_matrix_product():
    g = torch.Generator().manual_seed(0)
    layers = [torch.rand(2, 4, 4, generator=g).softmax(-1) for _ in range(3)]
    mean = [A.mean(0).double() for A in layers]
    expected = mean[2] @ mean[1] @ mean[0]
    torch.testing.assert_close(at.attention_rollout(layers, add_residual=False), expected)


def test_rollout_with_residual_by_hand_and_rows_sum_to_one():
    A = torch.tensor([[[0.0, 1.0], [1.0, 0.0]]])  # one head that swaps two tokens
    rollout = at.attention_rollout([A, A])
    # each layer is 0.5 I + 0.5 swap = [[.5,.5],[.5,.5]]; the product stays that
    torch.testing.assert_close(rollout, torch.full((2, 2), 0.5, dtype=torch.float64))
    g = torch.Generator().manual_seed(1)
    layers = [torch.rand(3, 5, 5, generator=g).softmax(-1) for _ in range(2)]
    torch.testing.assert_close(at.attention_rollout(layers).sum(-1), torch.ones(5, dtype=torch.float64))


def test_rollout_accepts_a_batch():
    g = torch.Generator().manual_seed(2)
    layers = [torch.rand(2, 3, 4, 4, generator=g).softmax(-1) for _ in range(2)]
    batch = at.attention_rollout(layers)
    single = at.attention_rollout([A[1] for A in layers])
    torch.testing.assert_close(batch[1], single)


def test_max_flow_on_a_textbook_graph():
    # CLRS figure 26.1: maximum flow 23
    c = np.zeros((6, 6))
    for u, v, cap in [(0, 1, 16), (0, 2, 13), (1, 3, 12), (2, 1, 4), (2, 4, 14), (3, 2, 9),
                      (3, 5, 20), (4, 3, 7), (4, 5, 4)]:
        c[u, v] = cap
    assert at.max_flow(c, 0, 5) == pytest.approx(23)


def test_flow_equals_networkx_and_one_layer_flow_is_the_attention():
    nx = pytest.importorskip("networkx")
    g = torch.Generator().manual_seed(3)
    layers = [torch.rand(2, 4, 4, generator=g).softmax(-1) for _ in range(2)]
    flow = at.attention_flow(layers)
    mats = [0.5 * A.double().mean(0) + 0.5 * torch.eye(4, dtype=torch.float64) for A in layers]
    graph = nx.DiGraph()
    for l, A in enumerate(mats):
        for i in range(4):
            for j in range(4):
                graph.add_edge((l, j), (l + 1, i), capacity=float(A[i, j]))
    for i in range(4):
        for j in range(4):
            assert flow[i, j] == pytest.approx(nx.maximum_flow_value(graph, (0, j), (2, i)), abs=1e-7)
    one = at.attention_flow(layers[:1])
    torch.testing.assert_close(one, mats[0])  # a single edge: its capacity
    torch.testing.assert_close(at.attention_flow(layers, output_token=2), flow[2])


@pytest.mark.parametrize("bad, message", [
    (torch.ones(2, 3, 3), "non-empty list"), ([], "non-empty list"),
    ([torch.ones(3, 4)], "attentions\\[0\\] has shape \\(3, 4\\); expected \\(heads, T, T\\)"),
])
def test_bad_attentions(bad, message):
    with pytest.raises((TypeError, ValueError), match=message):
        at.attention_rollout(bad)


def small_model():
    torch.manual_seed(0)
    texts = ["good drug works well", "bad side effects awful", "works great", "awful pain"]
    vocab = at.Vocabulary(texts)
    ids = vocab.encode([vocab.split(t) for t in texts], max_len=8)
    model = at.TinyEncoder(len(vocab), d_model=16, n_heads=2, n_layers=2, max_len=8)
    return at.train_encoder(model, ids, [1, 0, 1, 0], epochs=5, seed=0), ids, vocab


def test_encoder_returns_attention_rows_that_ignore_padding():
    model, ids, _ = small_model()
    logits, attentions = model(ids, return_attention=True)
    assert logits.shape == (4, 2) and len(attentions) == 2
    assert attentions[0].shape == (4, 2, 8, 8)
    torch.testing.assert_close(attentions[1].sum(-1), torch.ones(4, 2, 8))
    padding = ids == at.PAD
    assert attentions[0].permute(0, 1, 3, 2)[padding[:, None].expand(4, 2, 8)].abs().max() == 0


def test_token_integrated_gradients_equal_captum_layer_ig():
    from captum.attr import LayerIntegratedGradients

    model, ids, _ = small_model()
    baseline = torch.where(ids == at.CLS, ids, torch.zeros_like(ids))
    ours = at.token_integrated_gradients(model, ids, target=1, n_steps=32)
    theirs = LayerIntegratedGradients(model, model.token_embedding).attribute(
        ids, baseline, target=1, n_steps=32).sum(-1)
    torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-6)
    # completeness: the attributions add up to F(x) - F(baseline)
    with torch.no_grad():  # F at the baseline embeddings, with the padding mask of ids
        e0 = model.token_embedding(baseline)
        handle = model.token_embedding.register_forward_hook(lambda m, i, o: e0)
        at_baseline = model(ids)[:, 1]
        handle.remove()
        gap = model(ids)[:, 1] - at_baseline
    torch.testing.assert_close(ours.sum(1), gap, rtol=1e-3, atol=1e-4)


def test_plant_token_is_seeded_and_only_in_the_chosen_class():
    lists = [["a", "b"]] * 20
    labels = np.arange(20) % 2
    one, planted = at.plant_token(lists, labels, "zq", label=1, rate=1.0, seed=0)
    assert planted.tolist() == (labels == 1).tolist()
    assert all(("zq" in t) == p for t, p in zip(one, planted))
    assert at.plant_token(lists, labels, "zq", seed=4)[0] == at.plant_token(lists, labels, "zq", seed=4)[0]


def test_weight_decay_zero_is_adam_and_decay_shrinks_the_weights():
    texts = ["good drug works well", "bad side effects awful", "works great", "awful pain"]
    vocab = at.Vocabulary(texts)
    ids = vocab.encode([vocab.split(t) for t in texts], max_len=8)

    def trained(**options):
        torch.manual_seed(0)
        model = at.TinyEncoder(len(vocab), d_model=16, n_heads=2, n_layers=1, max_len=8)
        return at.train_encoder(model, ids, [1, 0, 1, 0], epochs=4, seed=0, **options)

    by_hand = (torch.manual_seed(0), at.TinyEncoder(len(vocab), d_model=16, n_heads=2, n_layers=1,
                                                     max_len=8))[1]
    optimiser, order_seed = torch.optim.Adam(by_hand.parameters(), lr=3e-3), torch.Generator().manual_seed(0)
    by_hand.train()
    for _ in range(4):                                   # batch_size 32 > 4 texts: one step per epoch
        order = torch.randperm(4, generator=order_seed)
        loss = torch.nn.functional.cross_entropy(by_hand(ids[order]), torch.tensor([1, 0, 1, 0])[order])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    plain = trained()
    for ours, theirs in zip(plain.parameters(), by_hand.parameters()):
        torch.testing.assert_close(ours, theirs, rtol=0, atol=1e-7)
    decayed = trained(weight_decay=5.0)
    assert decayed.classifier.weight.norm() < plain.classifier.weight.norm()
