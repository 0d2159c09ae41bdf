"""course_lib.lime.LimeText equals lime's LimeTextExplainer; words are removed as lime removes them."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lime.lime_text import IndexedString, LimeTextExplainer
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_pipeline

from course_lib.lime import LimeText, split_words, texts_from_masks
from test_lime import assert_same

SPAM = ["Check out my channel for free gifts", "subscribe to my channel!", "visit my website for money",
        "free iphone giveaway, visit now", "For the best videos visit my channel :)", "click here for money"]
HAM = ["I love this song so much", "great video, the guitar is amazing", "this song reminds me of Christmas",
       "what a voice, beautiful song", "the drummer is great in this video", "best song of the year"]


@pytest.fixture(scope="module")
def spam_model():
    return make_pipeline(TfidfVectorizer(), LogisticRegression(C=10)).fit(SPAM + HAM, [1] * 6 + [0] * 6)


@pytest.fixture(scope="module")
def topic_model():
    """A three-class naive Bayes on word counts."""
    docs = ["god church faith prayer", "jesus bible church", "atheism reason evidence", "no god evidence science",
            "graphics card driver", "image rendering card", "faith and reason", "driver for my image card"]
    return make_pipeline(CountVectorizer(), MultinomialNB()).fit(docs, [0, 0, 1, 1, 2, 2, 1, 2])


@pytest.mark.parametrize("seed", [0, 1, 42])
@pytest.mark.parametrize("num_features", [3, 10])
@pytest.mark.parametrize("bow", [True, False])
def test_text_equals_lime(spam_model, seed, num_features, bow):
    text = "For Christmas Song visit my channel! ;) my channel, my song"
    reference = LimeTextExplainer(random_state=seed, bow=bow).explain_instance(
        text, spam_model.predict_proba, num_features=num_features, num_samples=400)
    ours = LimeText(seed=seed, bow=bow).explain(text, spam_model.predict_proba,
                                                       num_features=num_features, num_samples=400)
    assert_same(ours, reference, 1)
    assert [str(w) for w, _ in reference.as_list()] == [w for w, _ in ours.as_list()]


@pytest.mark.parametrize("seed", [0, 9])
@pytest.mark.parametrize("label", [0, 2])
@pytest.mark.parametrize("options", [{}, {"kernel_width": 10}, {"feature_selection": "lasso_path"},
                                     {"split_expression": r"\s+"}], ids=str)
def test_text_equals_lime_on_three_classes(topic_model, seed, label, options):
    text = "my church says faith, my image card driver says evidence; faith again"
    reference = LimeTextExplainer(random_state=seed, **options).explain_instance(
        text, topic_model.predict_proba, labels=(label,), num_features=5, num_samples=300)
    ours = LimeText(seed=seed, **options).explain(text, topic_model.predict_proba, label=label,
                                                          num_features=5, num_samples=300)
    assert_same(ours, reference, label)


def test_bow_removes_every_occurrence_and_keeps_separators(spam_model):
    seen = []

    def recording(texts):
        seen.extend(texts)
        return spam_model.predict_proba(texts)

    nb = LimeText(seed=0).sample("my channel, my song", recording, num_samples=50)
    assert nb.feature_names == ["my", "channel", "song"]
    assert seen == nb.inputs and seen[0] == "my channel, my song"
    for z, text in zip(nb.Z, nb.inputs):
        assert ("my" in text.split()) == bool(z[0])
        assert text.count(",") == 1


@settings(max_examples=40, deadline=None)
@given(text=st.text(alphabet="ab c,.!'\n", max_size=40), bow=st.booleans())
def test_split_words_round_trips_and_matches_lime_indexing(text, bow):
    tokens, word_of_token, vocabulary = split_words(text, bow=bow)
    assert "".join(tokens) == text
    reference = IndexedString(text, bow=bow)
    assert vocabulary == [str(w) for w in reference.inverse_vocab]
    if vocabulary:
        rng = np.random.RandomState(len(text))
        Z = rng.randint(0, 2, size=(3, len(vocabulary)))
        ours = texts_from_masks(tokens, word_of_token, Z, "" if bow else "UNKWORDZ")
        assert ours == [reference.inverse_removing(np.flatnonzero(z == 0)) for z in Z]


def test_distances_are_cosine_times_100():
    nb = LimeText(seed=0).sample("a b c d", lambda t: np.ones((len(t), 2)) / 2, num_samples=30)
    kept = nb.Z.sum(1)
    np.testing.assert_allclose(nb.distances, 100 * (1 - np.sqrt(kept / 4)), atol=1e-12)


def test_clear_errors_on_bad_text(spam_model):
    explainer = LimeText(seed=0)
    with pytest.raises(ValueError, match="has no words"):
        explainer.explain("", spam_model.predict_proba)
    with pytest.raises(ValueError, match="has no words"):
        explainer.explain(" ;) !!", spam_model.predict_proba)
    with pytest.raises(TypeError, match="text must be a str"):
        explainer.explain(["a list", "of texts"], spam_model.predict_proba)
    with pytest.raises(ValueError, match="predict_fn returned shape"):
        explainer.explain("visit my channel", lambda texts: spam_model.predict(texts)[:1], num_samples=20)
    with pytest.raises(ValueError, match="NaN or infinite"):
        explainer.explain("visit my channel", lambda texts: np.full((len(texts), 2), np.inf), num_samples=20)
    with pytest.raises(TypeError, match="split_expression"):
        LimeText(split_expression=str.split)


def test_highlighted_text_marks_the_explained_words(spam_model):
    from course_lib.plots.lime import show_text, text_html

    explanation = LimeText(seed=0).explain("visit my channel <now> & win", spam_model.predict_proba,
                                                   num_features=2, num_samples=200)
    page = text_html(explanation, max_features=2)
    word_of_token = explanation.neighbourhood.extra["word_of_token"]
    assert page.count("<span") == int(np.isin(word_of_token, list(explanation.weights)[:2]).sum())
    top = list(explanation.weights)[:2]
    for j in top:
        assert f">{explanation.feature_names[j]}</span>" in page
    assert "&lt;" in page and "&amp;" in page  # the text is escaped
    show_text(explanation)  # prints outside a notebook
