"""LIME for images: neighbours are the image with some superpixels greyed out.

The interpretable representation (Ribeiro et al. 2016, sections 3.1 and 6.4, and ``lime``'s
``LimeImageExplainer``): the image is cut into superpixels (quickshift by default), and
z'_j = 1 when superpixel j is shown. A neighbour switches each superpixel on or off with
probability 1/2; an "off" superpixel shows its own mean colour (``hide_color=None``) or a
fixed colour. The distance is the cosine distance between z' and the all-ones x', and the
kernel width 0.25.

Same numbers as ``lime`` 0.2.0.1 for the same arguments and ``seed`` (lime's ``random_state``; for
superpixels numbered 0..K-1, which quickshift gives; lime mismatches other numberings, we renumber).
"""
from __future__ import annotations

import numpy as np

from .._validation import (check_budget, check_colour, check_count, check_feature_selection, check_image,
                           check_instance, check_perturbation, check_positive, check_random_state,
                           check_sampling, check_segments, seed_alias)
from .core import Explanation, Neighbourhood, _cosine_distances_to_first, predict_in_batches


def quickshift_superpixels(image, kernel_size=4, max_dist=200, ratio=0.2):
    """Superpixels with scikit-image's quickshift and ``lime``'s default settings.

    lime also passes a ``random_seed``, which scikit-image >= 0.20 no longer accepts (its
    ``rng`` argument defaults to 42), so the segmentation is deterministic.
    """
    from skimage.segmentation import quickshift  # the one non-numpy dependency, used only here

    image = check_image(image)
    kernel_size, max_dist, ratio = (check_positive(v, name) for v, name in
                                    ((kernel_size, "kernel_size"), (max_dist, "max_dist"), (ratio, "ratio")))
    return quickshift(image, kernel_size=kernel_size, max_dist=max_dist, ratio=ratio)


def hide_superpixels(image, segments, hide_color=None):
    """The image as every superpixel looks when it is 'off'.

    hide_color=None: each superpixel filled with its own mean colour (cast to the image's
    dtype, as lime does: uint8 means are truncated); otherwise the given colour everywhere.
    """
    image = check_image(image)
    segments, hide_color = check_segments(segments, image.shape[:2]), check_colour(hide_color)
    hidden = np.empty_like(image)
    if hide_color is not None:
        hidden[:] = hide_color
        return hidden
    counts = np.bincount(segments.ravel())
    for c in range(image.shape[2]):
        means = np.bincount(segments.ravel(), weights=image[..., c].ravel().astype(float)) / np.maximum(counts, 1)
        hidden[..., c] = means[segments]
    return hidden


def perturbed_images(image, hidden, segments, Z):
    """One image per row of Z: superpixel j from `image` where z'_j = 1, from `hidden` where 0."""
    image, segments, Z = check_perturbation(image, hidden, segments, Z)
    off = (np.asarray(Z) == 0)[:, segments]                     # (b, H, W): is this pixel's superpixel off?
    images = np.repeat(image[None], len(off), axis=0)           # C-ordered, as a model expects a batch
    np.copyto(images, hidden, where=off[..., None])
    return images


def superpixel_mask(explanation: Explanation, num_features=5, positive_only=True):
    """(H, W) mask: +1 on the top superpixels for the label, -1 on those against it (unless positive_only)."""
    check_instance(explanation, "explanation", Explanation, "pass what LimeImage.explain returns")
    if explanation.neighbourhood is None or "segments" not in explanation.neighbourhood.extra:
        raise ValueError("explanation has no superpixels; pass what LimeImage.explain returns")
    num_features = check_count(num_features, "num_features")
    segments = explanation.neighbourhood.extra["segments"]
    chosen = [(j, w) for j, w in explanation.weights.items() if w > 0 or not positive_only][:num_features]
    values = np.zeros(segments.max() + 1)
    for j, w in chosen:
        values[j] = np.sign(w)
    return values[segments]


class LimeImage:
    """LIME for one image.

    Parameters
    ----------
    kernel_width : w of the exponential kernel on the cosine distance; lime's 0.25.
    feature_selection : "auto", "forward_selection", "highest_weights", "lasso_path" or "none".
    seed : an int makes every ``explain`` call repeat exactly (a fresh ``lime``
        explainer with that seed); a RandomState is shared and advances; None is random.
    """

    @seed_alias
    def __init__(self, kernel_width=0.25, feature_selection="auto", seed=None):
        self.kernel_width = check_positive(kernel_width, "kernel_width")
        self.feature_selection = check_feature_selection(feature_selection)
        self.seed = seed

    def sample(self, image, predict_fn, segments=None, hide_color=None, num_samples=1000,
               batch_size=10, progress=False, segmentation_seed=None) -> Neighbourhood:
        """Switch superpixels off at random in `num_samples` copies (row 0: all on) and run the model.

        segments : (H, W) integer superpixel labels, a function image -> labels, or None for
            quickshift with lime's settings.
        predict_fn : takes a (b, H, W, 3) batch of images of the input's dtype, returns (b, K).
        segmentation_seed : lime draws one number for its segmenter before anything else when
            none is given; we draw it too (and ignore it, like quickshift) so the masks match.
        """
        image = check_image(image)
        predict_fn, num_samples, batch_size = check_sampling(predict_fn, num_samples, batch_size, 8, image.nbytes // 8 + 1)
        rng = check_random_state(self.seed, "seed")
        if segmentation_seed is None:
            segmentation_seed = rng.randint(0, high=1000)
        labels = quickshift_superpixels(image) if segments is None else (
            segments(image) if callable(segments) else segments)
        segments = check_segments(labels, image.shape[:2])
        hidden = hide_superpixels(image, segments, hide_color)
        K = segments.max() + 1
        check_budget(num_samples, "num_samples", per_unit=int(K) + 8, minimum=2)   # Z: one switch per superpixel
        Z = rng.randint(0, 2, num_samples * K).reshape(num_samples, K)
        Z[0] = 1
        predictions = predict_in_batches(predict_fn, lambda rows: perturbed_images(image, hidden, segments, Z[rows]),
                                         num_samples, batch_size, progress)
        return Neighbourhood(Z=Z, predictions=predictions, distances=_cosine_distances_to_first(Z),
                             kernel_width=self.kernel_width,
                             feature_names=[f"superpixel {j}" for j in range(K)],
                             feature_selection=self.feature_selection,
                             extra={"segments": segments, "hidden": hidden, "image": image})

    def explain(self, image, predict_fn, label=None, segments=None, hide_color=None,
                num_samples=1000, num_features=None, batch_size=10, progress=False) -> Explanation:
        """Explain one label (default: the model's top class on the image); all superpixels by default."""
        neighbourhood = self.sample(image, predict_fn, segments, hide_color, num_samples, batch_size, progress)
        if label is None:
            label = int(np.argmax(neighbourhood.predictions[0]))
        return neighbourhood.explain(label, num_features)


