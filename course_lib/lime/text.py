"""LIME for text: neighbours are the same text with some words removed.

The interpretable representation (Ribeiro et al. 2016, section 3.1, and ``lime``'s
``LimeTextExplainer``): one binary feature per distinct word, z'_j = 1 when word j is kept.
A neighbour removes k words, k uniform in 1..d, chosen uniformly; with ``bow=True`` every
occurrence of a removed word disappears (the separators stay). The distance is the cosine
distance between z' and the all-ones x', times 100, and the kernel width is 25.

Same numbers as ``lime`` 0.2.0.1 for the same arguments and ``seed`` (lime's ``random_state``).
"""
from __future__ import annotations

import re

import numpy as np

from .._validation import (check_feature_selection, check_instance, check_positive, check_sampling,
                           check_tokens, check_words, seed_alias)
from .core import Explanation, Neighbourhood, _cosine_distances_to_first, predict_in_batches


def split_words(text: str, split_expression: str = r"\W+", bow: bool = True):
    """Cut `text` into tokens (words and the separators between them) and number the words.

    Returns (tokens, word_of_token, vocabulary): ``"".join(tokens) == text``;
    ``word_of_token[t]`` is the vocabulary index of token t, or -1 for a separator; with
    ``bow=True`` a repeated word has one index, with ``bow=False`` each occurrence has its own.
    """
    check_instance(text, "text", str, "explain one text at a time")
    splitter = _compile(split_expression)
    tokens = [t for t in splitter.split(text) if t]
    vocabulary, word_of_token, index = [], [], {}
    for token in tokens:
        if splitter.match(token):          # a separator: never removed
            word_of_token.append(-1)
        elif bow:
            if token not in index:
                index[token] = len(vocabulary)
                vocabulary.append(token)
            word_of_token.append(index[token])
        else:
            word_of_token.append(len(vocabulary))
            vocabulary.append(token)
    return tokens, np.array(word_of_token, dtype=int), vocabulary


def texts_from_masks(tokens, word_of_token, Z, mask_string: str = ""):
    """The text for each row of Z: words with z'_j = 0 are removed (or replaced by `mask_string`)."""
    tokens, word_of_token, Z = check_tokens(tokens, word_of_token, Z, mask_string)
    kept = np.ones((len(Z), len(tokens)), dtype=bool)
    is_word = word_of_token >= 0
    kept[:, is_word] = np.asarray(Z)[:, word_of_token[is_word]] == 1
    return ["".join(t if keep else mask_string for t, keep in zip(tokens, row)) for row in kept]


class LimeText:
    """LIME for one text.

    Parameters
    ----------
    kernel_width : w of the exponential kernel on (cosine distance x 100); lime's 25.
    split_expression : regular expression for the separators between words.
    bow : bag of words (a word is one feature wherever it occurs) or one feature per position.
    mask_string : with ``bow=False``, what replaces a removed word (default "UNKWORDZ", lime's).
    feature_selection : "auto", "forward_selection", "highest_weights", "lasso_path" or "none".
    seed : an int makes every ``explain`` call repeat exactly (a fresh ``lime``
        explainer with that seed); a RandomState is shared and advances; None is random.
    """

    @seed_alias
    def __init__(self, kernel_width=25, split_expression=r"\W+", bow=True, mask_string=None,
                 feature_selection="auto", seed=None):
        self.kernel_width = check_positive(kernel_width, "kernel_width")
        _compile(split_expression)
        self.split_expression = split_expression
        self.bow = bow
        self.mask_string = mask_string
        self.feature_selection = check_feature_selection(feature_selection)
        self.seed = seed

    def sample(self, text, predict_fn, num_samples=5000, batch_size=None, progress=False) -> Neighbourhood:
        """Draw `num_samples` copies of `text` with words removed (row 0 is the text) and run the model."""
        tokens, word_of_token, vocabulary = split_words(text, self.split_expression, self.bow)
        per_text = len(vocabulary) + len(tokens) + len(text) // 8 + 8   # numbers and bytes kept per text
        predict_fn, num_samples, batch_size = check_sampling(predict_fn, num_samples, batch_size, per_text, per_text)
        d = len(vocabulary)
        rng = check_words(text, d, self.split_expression, self.seed)
        Z = np.ones((num_samples, d))
        n_removed = rng.randint(1, d + 1, num_samples - 1)
        # One draw per row, in order: the random stream lime uses (a loop cannot be avoided here)
        for i, k in enumerate(n_removed, start=1):
            Z[i, rng.choice(d, k, replace=False)] = 0
        mask = "" if self.bow else ("UNKWORDZ" if self.mask_string is None else self.mask_string)
        texts = [text] + texts_from_masks(tokens, word_of_token, Z[1:], mask)
        predictions = predict_in_batches(predict_fn, lambda rows: [texts[i] for i in rows],
                                         num_samples, batch_size, progress)
        return Neighbourhood(Z=Z, predictions=predictions,
                             distances=_cosine_distances_to_first(Z) * 100,
                             kernel_width=self.kernel_width, feature_names=list(vocabulary),
                             feature_selection=self.feature_selection, inputs=texts,
                             extra={"tokens": tokens, "word_of_token": word_of_token})

    def explain(self, text, predict_fn, label=1, num_features=10, num_samples=5000,
                batch_size=None, progress=False) -> Explanation:
        """Explain f(text) for one label: which words, removed, change the output most."""
        neighbourhood = self.sample(text, predict_fn, num_samples, batch_size, progress)
        return neighbourhood.explain(label, num_features)


def _compile(split_expression: str):
    """The splitter: separators matched by `split_expression` are kept as tokens."""
    check_instance(split_expression, "split_expression", str, "pass a regular expression such as r'\\W+'")
    try:
        return re.compile(f"({split_expression})|$")
    except re.error as error:
        raise ValueError(f"split_expression={split_expression!r} is not a regular expression ({error})") from None


