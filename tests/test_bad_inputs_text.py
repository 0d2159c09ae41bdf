"""Bad-input probes of lecture 11's functions: the pretrained text transformer, its attention
maps, integrated gradients over input embeddings, sentence embeddings and nearest examples
(see tests/bad_input_probe.py for the rule). A two-layer BERT with random weights stands in for
all-MiniLM-L6-v2, so the probes need no download."""
import numpy as np
import pytest
import torch
from torch import nn

from bad_input_probe import assert_clear_error

transformers = pytest.importorskip("transformers")

from course_lib import attention as at  # noqa: E402
from course_lib import data, examples  # noqa: E402

torch.manual_seed(0)
BERT = transformers.BertModel(transformers.BertConfig(
    vocab_size=40, hidden_size=8, num_hidden_layers=2, num_attention_heads=2, intermediate_size=16,
    max_position_embeddings=32, attn_implementation="eager"), add_pooling_layer=False).eval()


def tokenizer(text, **kwargs):
    """Words -> ids in [3, 40), as a BERT tokenizer would return them (a batch of one or many)."""
    texts = [text] if isinstance(text, str) else text
    width = max(len(t.split()) for t in texts) + 2
    ids = torch.zeros(len(texts), width, dtype=torch.long)
    mask = torch.zeros_like(ids)
    for row, t in enumerate(texts):
        words = [3 + sum(map(ord, w)) % 37 for w in t.split()]
        ids[row, :len(words) + 2] = torch.tensor([1, *words, 2])
        mask[row, :len(words) + 2] = 1
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": torch.zeros_like(ids)}


tokenizer.convert_ids_to_tokens = lambda ids: [str(i) for i in ids]
E = torch.randn(2, 5, 8)
FORWARD = lambda e: e.sum(dim=(1, 2))  # noqa: E731
X = np.random.default_rng(0).normal(size=(10, 4))
LABELS = np.arange(10) % 2

CASES = {
    "attention.attention_maps: not a model": lambda: at.attention_maps("bert", tokenizer, "a b"),
    "attention.attention_maps: a CNN, not an encoder": lambda: at.attention_maps(nn.Linear(2, 2), tokenizer, "a b"),
    "attention.attention_maps: a list of texts": lambda: at.attention_maps(BERT, tokenizer, ["a b", "c"]),
    "attention.attention_maps: empty text": lambda: at.attention_maps(BERT, tokenizer, "   "),
    "attention.attention_maps: tokenizer is a string": lambda: at.attention_maps(BERT, "bert-base", "a b"),
    "attention.attention_norms: not a model": lambda: at.attention_norms("bert", tokenizer, "a b"),
    "attention.attention_norms: a list of texts": lambda: at.attention_norms(BERT, tokenizer, ["a b", "c"]),
    "attention.attention_norms: empty text": lambda: at.attention_norms(BERT, tokenizer, "   "),
    "attention.attention_norms: tokenizer is a string": lambda: at.attention_norms(BERT, "bert-base", "a b"),
    "attention.embedding_integrated_gradients: ids, not embeddings": lambda: at.embedding_integrated_gradients(
        FORWARD, torch.ones(2, 5, dtype=torch.long), torch.zeros(2, 5, dtype=torch.long)),
    "attention.embedding_integrated_gradients: baseline of another shape": lambda: at.embedding_integrated_gradients(
        FORWARD, E, torch.zeros(1, 5, 8)),
    "attention.embedding_integrated_gradients: NaN embeddings": lambda: at.embedding_integrated_gradients(
        FORWARD, E * np.nan, torch.zeros_like(E)),
    "attention.embedding_integrated_gradients: numpy embeddings": lambda: at.embedding_integrated_gradients(
        FORWARD, E.numpy(), torch.zeros_like(E)),
    "attention.embedding_integrated_gradients: steps=0": lambda: at.embedding_integrated_gradients(
        FORWARD, E, torch.zeros_like(E), steps=0),
    "attention.embedding_integrated_gradients: 10**9 steps": lambda: at.embedding_integrated_gradients(
        FORWARD, E, torch.zeros_like(E), steps=10**9),
    "attention.embedding_integrated_gradients: forward returns (B, T, D)": lambda: at.embedding_integrated_gradients(
        lambda e: e, E, torch.zeros_like(E)),
    "attention.embedding_integrated_gradients: forward is a model name": lambda: at.embedding_integrated_gradients(
        "bert", E, torch.zeros_like(E)),
    "attention.sentence_embeddings: one bare string": lambda: at.sentence_embeddings(BERT, tokenizer, "a b"),
    "attention.sentence_embeddings: numbers as texts": lambda: at.sentence_embeddings(BERT, tokenizer, [1, 2]),
    "attention.sentence_embeddings: batch_size=0": lambda: at.sentence_embeddings(BERT, tokenizer, ["a"], batch_size=0),
    "attention.sentence_embeddings: not an encoder": lambda: at.sentence_embeddings(nn.Linear(2, 2), tokenizer, ["a"]),
    "examples.nearest_examples: query of another width": lambda: examples.nearest_examples(X, LABELS, np.ones(3)),
    "examples.nearest_examples: NaN in embeddings": lambda: examples.nearest_examples(X * np.nan, LABELS, np.ones(4)),
    "examples.nearest_examples: labels of another length": lambda: examples.nearest_examples(X, LABELS[:4], np.ones(4)),
    "examples.nearest_examples: k larger than the data": lambda: examples.nearest_examples(X, LABELS, np.ones(4), k=11),
    "examples.nearest_examples: k=0": lambda: examples.nearest_examples(X, LABELS, np.ones(4), k=0),
    "examples.nearest_examples: strings": lambda: examples.nearest_examples(np.full((10, 4), "a"), LABELS, np.ones(4)),
    "data.load_text_transformer: device 'gpu'": lambda: data.load_text_transformer(device="gpu"),
    "data.load_text_transformer: device is a number string": lambda: data.load_text_transformer(device=1.5),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_gets_a_clear_error_fast(case):
    assert_clear_error(CASES[case], case)


def test_correct_calls_still_work():
    maps, tokens = at.attention_maps(BERT, tokenizer, "a b c")
    assert maps.shape == (2, 2, 5, 5) and len(tokens) == 5
    with torch.no_grad():
        reference = torch.cat(BERT(**tokenizer("a b c"), output_attentions=True).attentions).numpy()
    np.testing.assert_allclose(maps, reference, atol=1e-6)
    assert at.embedding_integrated_gradients(FORWARD, E, torch.zeros_like(E), steps=4).shape == E.shape
    assert at.sentence_embeddings(BERT, tokenizer, ["a b", "c d e"]).shape == (2, 8)
    assert examples.nearest_examples(X, LABELS, X[3], k=2)[0][0] == 3
