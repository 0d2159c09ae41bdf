"""Faithfulness metrics: exact values on models we can solve by hand, and agreement with captum."""
import numpy as np
import pytest
import torch

from course_lib import faithfulness as fm


def linear(weights):
    weights = np.asarray(weights, float)
    return lambda batch: np.asarray(batch, float).reshape(len(batch), -1) @ weights


def test_deletion_curve_of_a_linear_model_by_hand():
    f = linear([3.0, 1.0, 2.0, 0.0])
    x = np.ones(4)
    curve = fm.deletion_curve(f, x, attribution=[3, 1, 2, 0], steps=4)
    np.testing.assert_allclose(curve.fractions, [0, .25, .5, .75, 1])
    np.testing.assert_allclose(curve.scores, [6, 3, 1, 0, 0])
    assert curve.auc == pytest.approx(np.trapezoid([6, 3, 1, 0, 0], dx=.25))


def test_insertion_is_deletion_reversed_for_the_best_and_worst_order():
    f = linear([3.0, 1.0, 2.0, 0.0])
    x = np.ones(4)
    good = fm.insertion_curve(f, x, [3, 1, 2, 0], steps=4)
    bad = fm.insertion_curve(f, x, [0, 2, 1, 3], steps=4)
    np.testing.assert_allclose(good.scores, [0, 3, 5, 6, 6])
    assert good.auc > bad.auc
    assert fm.deletion_curve(f, x, [3, 1, 2, 0], 4).auc < fm.deletion_curve(f, x, [0, 2, 1, 3], 4).auc


def test_image_attribution_removes_a_pixel_in_every_channel():
    x = np.ones((3, 2, 2))
    f = lambda batch: np.asarray(batch).sum(axis=(1, 2, 3))
    curve = fm.deletion_curve(f, x, np.array([[4, 3], [2, 1]]), steps=4, baseline=0.0)
    np.testing.assert_allclose(curve.scores, [12, 9, 6, 3, 0])


def test_baseline_array_and_batching_do_not_change_the_curve():
    rng = np.random.default_rng(0)
    x, a, base = rng.normal(size=10), rng.normal(size=10), rng.normal(size=10)
    f = linear(rng.normal(size=10))
    one = fm.deletion_curve(f, x, a, steps=10, baseline=base, batch_size=3)
    two = fm.deletion_curve(f, x, a, steps=10, baseline=base)
    np.testing.assert_allclose(one.scores, two.scores)
    assert one.scores[-1] == pytest.approx(f(base[None])[0])


def test_auc_of_a_plain_array():
    assert fm.auc([1, 1, 1]) == pytest.approx(1.0)
    assert fm.auc(np.linspace(1, 0, 11)) == pytest.approx(0.5)


@pytest.mark.parametrize("call, message", [
    (lambda: fm.deletion_curve(linear([1, 1]), [1, 1], [1, 2, 3]), "attribution has shape"),
    (lambda: fm.deletion_curve(linear([1, 1]), [1, 1], [1, 2], steps=0), "steps must be"),
    (lambda: fm.deletion_curve(linear([1, 1]), [1, np.nan], [1, 2]), "x has NaN"),
    (lambda: fm.deletion_curve("model", [1, 1], [1, 2]), "f must be a function"),
    (lambda: fm.deletion_curve(lambda b: np.ones(1), [1, 1], [1, 2]), "one score"),
    (lambda: fm.auc([1]), "curve must be"),
    (lambda: fm.comprehensiveness(len, "a b c", [0]), "split it first"),
    (lambda: fm.comprehensiveness(len, ["a"], [3]), "rationale positions"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()


def test_comprehensiveness_and_sufficiency_by_hand():
    good_words = {"great": 0.5, "love": 0.3}
    f = lambda lists: np.array([min(1.0, 0.1 + sum(good_words.get(t, 0) for t in tokens))
                                for tokens in lists])
    tokens = ["i", "love", "this", "great", "drug"]
    assert fm.comprehensiveness(f, tokens, [1, 3]) == pytest.approx(0.8)
    assert fm.sufficiency(f, tokens, [1, 3]) == pytest.approx(0.0)
    mask = fm.top_k_rationale([0, .3, 0, .5, 0], 1)
    assert mask.tolist() == [False, False, False, True, False]
    assert fm.comprehensiveness(f, tokens, mask) == pytest.approx(0.5)
    assert fm.sufficiency(f, tokens, mask) == pytest.approx(0.3)


def test_noisy_linear_impute_recovers_a_linear_ramp_and_keeps_known_pixels():
    rows, cols = np.mgrid[0:12, 0:12].astype(float)
    image = np.stack([rows + 2 * cols, 3 - cols])
    removed = np.zeros((12, 12), bool)
    removed[3:8, 4:9] = True
    filled = fm.noisy_linear_impute(image, removed, noise=0.0)
    np.testing.assert_allclose(filled, image, atol=1e-9)   # a plane is its neighbours' mean
    noisy = fm.noisy_linear_impute(image, removed, noise=0.5, seed=1)
    np.testing.assert_array_equal(noisy[:, ~removed], image[:, ~removed])
    assert 0.2 < np.std(noisy[:, removed] - image[:, removed]) < 0.8


def test_road_is_seeded_and_starts_at_the_clean_score():
    rng = np.random.default_rng(0)
    x, a = rng.normal(size=(3, 10, 10)), rng.normal(size=(10, 10))
    f = lambda batch: np.asarray(batch).reshape(len(batch), -1)[:, :50].sum(1)
    one, two = fm.road(f, x, a, seed=3), fm.road(f, x, a, seed=3)
    np.testing.assert_array_equal(one.scores, two.scores)
    assert one.scores[0] == pytest.approx(f(x[None])[0])
    with pytest.raises(ValueError, match="road needs an image"):
        fm.road(f, x, a[:5])


# ---------------------------------------------------------------------- captum agreement
def small_net():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))


def captum_perturb(seed, noise):
    generator = torch.Generator().manual_seed(seed)

    def perturb(inputs):
        perturbation = noise * torch.randn(inputs.shape, generator=generator)
        return perturbation, inputs - perturbation
    return perturb


@pytest.mark.parametrize("normalize", [False, True])
def test_infidelity_equals_captum(normalize):
    from captum.attr import Saliency
    from captum.metrics import infidelity

    net = small_net()
    x = torch.randn(4, 6, generator=torch.Generator().manual_seed(1))
    attribution = Saliency(net).attribute(x, target=1, abs=False)
    ours = fm.infidelity(net, x, attribution, n_perturb=20, seed=7, noise=0.2, target=1,
                         normalize=normalize)
    theirs = infidelity(net, captum_perturb(7, 0.2), x, attribution, target=1,
                        n_perturb_samples=20, normalize=normalize)
    torch.testing.assert_close(ours, theirs, rtol=1e-6, atol=1e-7)


def test_infidelity_is_zero_for_the_exact_gradient_of_a_linear_model():
    net = torch.nn.Linear(5, 1)
    x = torch.randn(3, 5)
    attribution = net.weight.detach().expand(3, 5)
    value = fm.infidelity(lambda z: net(z)[:, 0], x, attribution, n_perturb=10, seed=0)
    assert value.abs().max() < 1e-10 + 1e-6


def test_sensitivity_max_equals_captum():
    from captum.attr import Saliency
    from captum.metrics import sensitivity_max

    net = small_net()
    x = torch.randn(3, 6, generator=torch.Generator().manual_seed(2))
    explain = lambda z: Saliency(net).attribute(z, target=2)
    ours = fm.sensitivity_max(explain, x, radius=0.1, n_perturb=15, seed=5)
    torch.manual_seed(5)
    theirs = sensitivity_max(lambda z: Saliency(net).attribute(z, target=2), x,
                             perturb_radius=0.1, n_perturb_samples=15)
    torch.testing.assert_close(ours, theirs, rtol=1e-6, atol=1e-7)
    assert (ours > 0).all()


def test_agreement_and_stability():
    a = np.array([5.0, 4, 3, 2, 1])
    assert fm.rank_agreement(a, a * 2) == pytest.approx(1.0)
    assert fm.rank_agreement(a, -a) == pytest.approx(-1.0)
    assert np.isnan(fm.rank_agreement(a, np.ones(5)))            # a constant map ranks nothing
    assert np.isnan(fm.top_k_agreement(a, -np.ones(5), 2))
    assert fm.top_k_agreement(a, [1.0, 0, 5, 0, 0], 2) == pytest.approx(0.5)
    stable = fm.noise_stability(lambda z: np.arange(5.0) * 10 + 0 * z, np.zeros(5), noise=0.1)
    np.testing.assert_allclose(stable, 1.0)
    mean, low, high = fm.bootstrap_ci(np.arange(10.0), seed=0)
    assert low < mean == 4.5 < high


def test_road_least_relevant_first_removes_the_other_end_of_the_ranking():
    rng = np.random.default_rng(1)
    weights = rng.random((12, 12))
    checkerboard = (np.arange(144).reshape(1, 12, 12) + np.arange(12)[:, None]) % 2.0
    f = lambda batch: (np.asarray(batch)[:, 0] * weights).sum(axis=(1, 2))
    morf = fm.road(f, checkerboard, weights, seed=0)
    lerf = fm.road(f, checkerboard, weights, seed=0, most_relevant_first=False)
    assert morf.scores[0] == pytest.approx(lerf.scores[0]) == pytest.approx(f(checkerboard[None])[0])
    assert np.abs(morf.scores[1:] - lerf.scores[1:]).min() > 1e-6
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        fm.road(f, checkerboard, weights, fractions=(0.5, 1.0))


def test_a_constant_attribution_has_no_auc():
    f = linear([3.0, 1.0, 2.0, 0.0])
    flat = fm.deletion_curve(f, np.ones(4), np.zeros(4), steps=4)
    assert not flat.ranked and np.isnan(flat.auc)
    assert np.isnan(fm.insertion_curve(f, np.ones(4), np.full(4, 2.0), steps=4).auc)
    image = np.ones((1, 6, 6))
    g = lambda batch: np.asarray(batch).reshape(len(batch), -1).sum(1)
    assert np.isnan(fm.road(g, image, np.zeros((6, 6)), noise=0.0).auc)
    assert not np.isnan(fm.road(g, image, np.arange(36.0).reshape(6, 6), noise=0.0).auc)


def test_aopc_by_hand():
    good_words = {"great": 0.5, "love": 0.3}
    f = lambda lists: np.array([min(1.0, 0.1 + sum(good_words.get(t, 0) for t in tokens))
                                for tokens in lists])
    tokens = ["i", "love", "this", "great", "drug", "a", "b", "c", "d", "e"]
    scores = np.array([0, .3, 0, .5, 0, 0, 0, 0, 0, 0.1])
    # 10 tokens: bins 1/5/10/20/50 % keep ceil(0.1), ceil(0.5), 1, 2, 5 tokens = 1, 1, 1, 2, 5
    full = 0.9
    without = [0.4, 0.4, 0.4, 0.1, 0.1]     # "great", "great", "great", then both words gone
    alone = [0.6, 0.6, 0.6, 0.9, 0.9]
    assert fm.aopc_comprehensiveness(f, tokens, scores) == pytest.approx(np.mean(full - np.array(without)))
    assert fm.aopc_sufficiency(f, tokens, scores) == pytest.approx(np.mean(full - np.array(alone)))
    # one bin of k tokens is the plain comprehensiveness of the top-k rationale
    assert fm.aopc_comprehensiveness(f, tokens, scores, bins=[0.2]) == pytest.approx(
        fm.comprehensiveness(f, tokens, fm.top_k_rationale(scores, 2)))
    assert fm.aopc_sufficiency(f, tokens, scores, bins=[0.2]) == pytest.approx(
        fm.sufficiency(f, tokens, fm.top_k_rationale(scores, 2)))
    assert np.isnan(fm.aopc_comprehensiveness(f, tokens, np.ones(10)))
    with pytest.raises(ValueError, match="one value per token"):
        fm.aopc_sufficiency(f, tokens, scores[:3])
    with pytest.raises(ValueError, match="bins must be shares"):
        fm.aopc_sufficiency(f, tokens, scores, bins=[0.0, 0.5])


def captum_removal(seed, share, baseline):
    generator = torch.Generator().manual_seed(seed)

    def perturb(inputs, baselines=None):
        mask = torch.rand(inputs.shape, generator=generator) < share
        return torch.where(mask, torch.full_like(inputs, baseline), inputs)
    return perturb


@pytest.mark.parametrize("normalize", [False, True])
@pytest.mark.parametrize("multiply_by_inputs", [False, True])
def test_infidelity_with_a_baseline_perturbation_equals_captum(normalize, multiply_by_inputs):
    from captum.attr import IntegratedGradients
    from captum.metrics import infidelity, infidelity_perturb_func_decorator

    net = small_net()
    x = torch.randn(4, 6, generator=torch.Generator().manual_seed(3))
    x[0, 2] = 0.5                                       # a feature equal to the baseline: 0 / 0
    attribution = IntegratedGradients(net).attribute(x, target=0, n_steps=20)
    ours = fm.infidelity(net, x, attribution, n_perturb=25, seed=4, target=0, normalize=normalize,
                         perturbation="baseline", share=0.3, baseline=0.5,
                         multiply_by_inputs=multiply_by_inputs)
    perturb = infidelity_perturb_func_decorator(multiply_by_inputs)(captum_removal(4, 0.3, 0.5))
    theirs = infidelity(net, perturb, x, attribution, baselines=torch.full_like(x, 0.5), target=0,
                        n_perturb_samples=25, normalize=normalize)
    torch.testing.assert_close(ours, theirs, rtol=1e-6, atol=1e-7)


def test_integrated_gradients_beats_the_gradient_on_removal_of_every_feature():
    """Removing all features (share 1) moves x to the baseline: IG's completeness makes the
    predicted change exact, while the gradient extrapolates linearly (Yeh et al. 2019)."""
    from captum.attr import IntegratedGradients, Saliency

    net = small_net()
    x = torch.randn(3, 6, generator=torch.Generator().manual_seed(5))
    ig = IntegratedGradients(net).attribute(x, target=2, n_steps=200, method="gausslegendre")
    gradient = Saliency(net).attribute(x, target=2, abs=False)
    ig_error = fm.infidelity(net, x, ig, n_perturb=3, perturbation="baseline", share=1.0,
                             target=2, multiply_by_inputs=True)
    gradient_error = fm.infidelity(net, x, gradient, n_perturb=3, perturbation="baseline",
                                   share=1.0, target=2)
    assert ig_error.max() < 1e-8 < gradient_error.min()


def test_sensitivity_max_unnormalised_is_yeh_et_al():
    explain = lambda z: 2.0 * z                     # the change is 2 (y - x) exactly
    x = torch.ones(2, 4)
    absolute = fm.sensitivity_max(explain, x, radius=0.1, n_perturb=50, seed=0, relative=False)
    relative = fm.sensitivity_max(explain, x, radius=0.1, n_perturb=50, seed=0)
    torch.testing.assert_close(relative, absolute / 4.0)   # ||explain(x)|| = 2 * sqrt(4)
    assert (absolute <= 2 * 0.1 * 2 + 1e-6).all() and (absolute > 0.2).all()
