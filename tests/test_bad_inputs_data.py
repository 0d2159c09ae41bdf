"""Bad input to the data loaders gets a one-line TypeError or ValueError, before any work.

Counts are refused before the twin is drawn (``n=10**12`` would need terabytes); seeds must be
ints in numpy's range; names and devices must be ones that exist; images must be RGB uint8.
"""
import numpy as np
import pytest
import torch

from bad_input_probe import assert_clear_error

from course_lib import data

PRE = data.ImagenetPreprocess("cpu")
RGB = np.zeros((8, 8, 3), dtype=np.uint8)
NAN_IMAGE = np.full((8, 8, 3), np.nan)
NAN_TENSOR = torch.full((1, 3, 8, 8), float("nan"))


def _text(**changes):
    fields = dict(name="toy", texts=["good", "bad", "fine"], labels=np.array([1, 0, 1]),
                  target_names=["negative", "positive"], source="a test",
                  train_index=np.array([0, 1]), test_index=np.array([2]))
    fields.update(changes)
    return data.TextDataset(**fields)


CASES = {
    # load_cardio: source, n, seed (checked before any cache, network or twin)
    "data.load_cardio: unknown source": lambda: data.load_cardio("kaggle"),
    "data.load_cardio: source not a string": lambda: data.load_cardio(["auto"]),
    "data.load_cardio: source an array": lambda: data.load_cardio(np.array(["auto", "online"])),
    "data.load_cardio: float n": lambda: data.load_cardio("synthetic", n=100.0),
    "data.load_cardio: string n": lambda: data.load_cardio("synthetic", n="100"),
    "data.load_cardio: array n": lambda: data.load_cardio("synthetic", n=np.array([100])),
    "data.load_cardio: n of one row": lambda: data.load_cardio("synthetic", n=1),
    "data.load_cardio: negative n": lambda: data.load_cardio("synthetic", n=-5),
    "data.load_cardio: absurd n": lambda: data.load_cardio("synthetic", n=10 ** 12),
    "data.load_cardio: absurd n, source auto": lambda: data.load_cardio("auto", n=10 ** 12),
    "data.load_cardio: bool n": lambda: data.load_cardio("synthetic", n=True),
    "data.load_cardio: negative seed": lambda: data.load_cardio("synthetic", n=50, seed=-1),
    "data.load_cardio: seed too large": lambda: data.load_cardio("synthetic", n=50, seed=2 ** 40),
    "data.load_cardio: float seed": lambda: data.load_cardio("synthetic", n=50, seed=0.5),
    "data.load_cardio: string seed": lambda: data.load_cardio("synthetic", n=50, seed="0"),
    "data.load_cardio: None seed": lambda: data.load_cardio("auto", n=50, seed=None),
    # load_sample_images
    "data.load_sample_images: unknown name": lambda: data.load_sample_images(["dog"]),
    "data.load_sample_images: a number": lambda: data.load_sample_images(5),
    "data.load_sample_images: a number in the list": lambda: data.load_sample_images([3]),
    "data.load_sample_images: empty list": lambda: data.load_sample_images([]),
    "data.load_sample_images: a set": lambda: data.load_sample_images({"chelsea"}),
    "data.load_sample_images: an image instead of names": lambda: data.load_sample_images(RGB),
    # load_text_dataset
    "data.load_text_dataset: unknown name": lambda: data.load_text_dataset("imdb"),
    "data.load_text_dataset: None name": lambda: data.load_text_dataset(None),
    "data.load_text_dataset: list name": lambda: data.load_text_dataset(["newsgroups"]),
    "data.load_text_dataset: negative seed": lambda: data.load_text_dataset("movie_reviews", -3),
    "data.load_text_dataset: float seed": lambda: data.load_text_dataset("movie_reviews", 1.5),
    "data.load_text_dataset: bool seed": lambda: data.load_text_dataset("movie_reviews", True),
    # load_imagenet_model and ImagenetPreprocess: devices that do not exist here
    "data.load_imagenet_model: unknown device": lambda: data.load_imagenet_model("banana"),
    "data.load_imagenet_model: absent GPU": lambda: data.load_imagenet_model("cuda:99"),
    "data.load_imagenet_model: device a list": lambda: data.load_imagenet_model([0]),
    "data.load_imagenet_model: device a float": lambda: data.load_imagenet_model(0.5),
    "data.ImagenetPreprocess: unknown device": lambda: data.ImagenetPreprocess("gpu"),
    "data.ImagenetPreprocess: absent GPU": lambda: data.ImagenetPreprocess("cuda:99"),
    "data.ImagenetPreprocess: float image": lambda: PRE(RGB.astype(float)),
    "data.ImagenetPreprocess: NaN image": lambda: PRE(NAN_IMAGE),
    "data.ImagenetPreprocess: grey image (H, W)": lambda: PRE(RGB[..., 0]),
    "data.ImagenetPreprocess: RGBA array": lambda: PRE(np.zeros((8, 8, 4), dtype=np.uint8)),
    "data.ImagenetPreprocess: channels first": lambda: PRE(np.zeros((3, 8, 8), dtype=np.uint8)),
    "data.ImagenetPreprocess: empty image": lambda: PRE(np.zeros((0, 0, 3), dtype=np.uint8)),
    "data.ImagenetPreprocess: a list": lambda: PRE(RGB.tolist()),
    "data.ImagenetPreprocess: a tensor": lambda: PRE(torch.zeros(8, 8, 3, dtype=torch.uint8)),
    "data.ImagenetPreprocess: a file name": lambda: PRE("chelsea.png"),
    "data.ImagenetPreprocess: to_image of an array": lambda: PRE.to_image(np.zeros((1, 3, 8, 8))),
    "data.ImagenetPreprocess: to_image of a batch": lambda: PRE.to_image(torch.zeros(2, 3, 8, 8)),
    "data.ImagenetPreprocess: to_image of one channel":
        lambda: PRE.to_image(torch.zeros(1, 1, 8, 8)),
    "data.ImagenetPreprocess: to_image of NaN": lambda: PRE.to_image(NAN_TENSOR),
    # the records, when a learner builds one
    "data.TextDataset: labels of the wrong length": lambda: _text(labels=np.array([1, 0])),
    "data.TextDataset: float labels": lambda: _text(labels=np.array([1.0, 0.0, np.nan])),
    "data.TextDataset: one string as texts": lambda: _text(texts="good bad fine"),
    "data.TextDataset: numbers as texts": lambda: _text(texts=[1, 2, 3]),
    "data.TextDataset: index out of range": lambda: _text(test_index=np.array([3])),
    "data.TextDataset: negative index": lambda: _text(train_index=np.array([-1, 0])),
    "data.TextDataset: float index": lambda: _text(train_index=np.array([0.0, 1.0])),
    "data.strip_newsgroup_metadata: one string": lambda: data.strip_newsgroup_metadata("a post"),
    "data.strip_newsgroup_metadata: bytes in the list":
        lambda: data.strip_newsgroup_metadata([b"From: x\n\npost"]),
    "data.strip_newsgroup_metadata: None": lambda: data.strip_newsgroup_metadata(None),
    "data.ImageSet: a number": lambda: data.ImageSet(5),
    "data.ImageSet: a float image": lambda: data.ImageSet({"cat": RGB.astype(float)}),
    "data.ImageSet: a grey image": lambda: data.ImageSet({"cat": RGB[..., 0]}),
    "data.ImageSet: a file name": lambda: data.ImageSet({"cat": "chelsea.png"}),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_gets_a_clear_error_fast(case):
    assert_clear_error(CASES[case], case)


def test_good_input_still_works():
    assert len(data.load_cardio("synthetic", n=np.int64(40), seed=np.uint32(3), verbose=False)) == 40
    assert data.load_sample_images(("chelsea",), verbose=False)["chelsea"].dtype == np.uint8
    assert tuple(PRE(RGB).shape) == (1, 3, 224, 224)
    assert PRE.to_image(PRE(RGB)[0]).shape == (224, 224, 3)
    dataset = _text(labels=[1, 0, 1], train_index=[0, 1], test_index=[2])
    assert dataset.split()[3].tolist() == [1] and len(data.ImageSet({"cat": RGB})) == 1
