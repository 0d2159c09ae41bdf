"""20 Newsgroups from the pinned archive: scikit-learn's order, no pickle, hash checked per read.

No network here: a small archive with the real one's layout stands in for it, its hash pinned in
place of the published one. scikit-learn's own pipeline (download, extract, ``load_files``, pickle,
filter, shuffle) is fed the same archive, and our reader must give exactly what it gives.
"""
import builtins
import hashlib
import io
import os
import pickle
import sys
import tarfile
import zlib

import numpy as np
import pytest

from course_lib import assets, data

CATEGORIES = ["alt.atheism", "soc.religion.christian"]
# per subset: folder -> file names (string order differs from number order, as in the real files)
LAYOUT = {
    "train": {"alt.atheism": ["9", "10", "100", "51060", "51119"],
              "comp.graphics": ["37261", "38", "4"],
              "soc.religion.christian": ["20491", "2", "20", "3", "99", "100"],
              "sci.space": ["59497", "6"]},
    "test": {"alt.atheism": ["53068", "7", "8"],
             "misc.forsale": ["1"],
             "soc.religion.christian": ["21329", "5", "50", "500"]},
}


def _text(subset, folder, name) -> bytes:
    # latin-1 bytes that are not valid UTF-8, a header block and a quote, like a real post
    return (f"From: someone@{folder}\nSubject: post {name}\n\n> quoted {subset}\n"
            f"Body of {subset}/{folder}/{name}, caf").encode() + b"\xe9 \xff\n"


def _add(archive, name, payload=None, **kind):
    member = tarfile.TarInfo(name)
    for key, value in kind.items():
        setattr(member, key, value)
    if payload is None:
        archive.addfile(member)
    else:
        member.size = len(payload)
        archive.addfile(member, io.BytesIO(payload))


def fake_archive(hostile: bool = False, planted: str = "") -> bytes:
    """A 20news-bydate.tar.gz with the real layout; `hostile` adds links and escaping paths."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for subset, folders in LAYOUT.items():
            top = f"20news-bydate-{subset}"
            _add(archive, top, type=tarfile.DIRTYPE, mode=0o755)
            # members in an order unlike the sorted one the reader must reproduce
            for folder in sorted(folders, reverse=True):
                _add(archive, f"{top}/{folder}", type=tarfile.DIRTYPE, mode=0o755)
                for name in folders[folder][::-1]:
                    _add(archive, f"{top}/{folder}/{name}",
                         _text(subset, folder, name) + planted.encode())
        if hostile:
            _add(archive, "20news-bydate-train/alt.atheism/77777", type=tarfile.SYMTYPE,
                 linkname="/etc/passwd")
            _add(archive, "20news-bydate-train/soc.religion.christian/77778", type=tarfile.LNKTYPE,
                 linkname="20news-bydate-train/alt.atheism/9")
            _add(archive, "20news-bydate-train/alt.atheism/../../../escaped", b"ESCAPED\n")
            _add(archive, "../20news-bydate-test/alt.atheism/1", b"ESCAPED\n")
            _add(archive, "/20news-bydate-test/alt.atheism/2", b"ESCAPED\n")
            _add(archive, "20news-bydate-test/alt.atheism/deeper/3", b"ESCAPED\n")
            _add(archive, "20news-bydate-test/soc.religion.christian/fifo", type=tarfile.FIFOTYPE)
    return buffer.getvalue()


def sklearn_reference(tmp_path, monkeypatch, raw: bytes, subset: str):
    """What scikit-learn's fetch_20newsgroups returns when its download yields `raw`."""
    from sklearn.datasets import _twenty_newsgroups, fetch_20newsgroups

    def fake_fetch_remote(remote, dirname=None, n_retries=3, delay=1):
        path = os.path.join(dirname, remote.filename)
        with open(path, "wb") as handle:
            handle.write(raw)
        return path

    monkeypatch.setattr(_twenty_newsgroups, "_fetch_remote", fake_fetch_remote)
    return fetch_20newsgroups(data_home=str(tmp_path / "sklearn_home"), subset=subset,
                              categories=CATEGORIES)


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch, tmp_path):
    """Offline, a private cache, nothing remembered between tests, no drug-review wheel needed."""
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(assets, "_REACHABLE", {})
    monkeypatch.setattr(assets, "_VERIFIED", {})
    monkeypatch.setattr(data, "_load_drug_reviews", lambda seed: data.TextDataset(
        "drug_reviews", ["good", "bad"], np.array([1, 0]), ["negative", "positive"],
        "a stand-in", np.array([0]), np.array([1])))


def _cache(raw: bytes, monkeypatch, pin: bytes | None = None):
    """Put `raw` where the loader looks, and pin the hash of `pin` (default: of `raw`)."""
    path = assets.data_dir() / "text" / data.NEWSGROUPS_ARCHIVE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    monkeypatch.setattr(data, "NEWSGROUPS_SHA256", hashlib.sha256(pin or raw).hexdigest())
    return path


# --- the same documents, order, targets and names as scikit-learn ----------------------------
@pytest.mark.parametrize("subset", ["train", "test"])
def test_reader_equals_scikit_learns_pipeline(tmp_path, monkeypatch, subset):
    raw = fake_archive()
    reference = sklearn_reference(tmp_path, monkeypatch, raw, subset)
    texts, targets = data.read_newsgroups(raw, data.NEWSGROUPS_CATEGORIES)[subset]
    assert len(texts) == len(reference.data) == sum(len(LAYOUT[subset][c]) for c in CATEGORIES)
    assert texts == reference.data                        # the same texts, in the same order
    assert targets == reference.target.tolist()
    assert list(reference.target_names) == CATEGORIES == sorted(data.NEWSGROUPS_CATEGORIES)
    assert "caf\u00e9 \u00ff" in texts[0]                 # decoded as latin-1, like scikit-learn
    # the two shuffles matter: the order is neither the archive's nor the sorted one
    assert texts != sorted(texts)


def test_reader_equals_scikit_learns_pipeline_on_a_larger_archive(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    layout = {subset: {folder: [str(n) for n in rng.choice(60_000, size=rng.integers(0, 40),
                                                            replace=False)]
                       for folder in ("alt.atheism", "comp.os.ms-windows.misc", "rec.autos",
                                      "soc.religion.christian", "talk.religion.misc")}
              for subset in ("train", "test")}
    layout["train"]["alt.atheism"] = layout["train"]["alt.atheism"] or ["1"]
    layout["train"]["soc.religion.christian"] += ["2"]
    monkeypatch.setattr(sys.modules[__name__], "LAYOUT", layout)
    raw = fake_archive()
    for subset in ("train", "test"):
        reference = sklearn_reference(tmp_path / subset, monkeypatch, raw, subset)
        texts, targets = data.read_newsgroups(raw, data.NEWSGROUPS_CATEGORIES)[subset]
        assert texts == reference.data and targets == reference.target.tolist()


def test_loader_returns_scikit_learns_split(tmp_path, monkeypatch, capsys):
    raw = fake_archive()
    _cache(raw, monkeypatch)
    dataset = data.load_text_dataset("newsgroups")
    train, test = (sklearn_reference(tmp_path, monkeypatch, raw, s) for s in ("train", "test"))
    texts_train, texts_test, y_train, y_test = dataset.split()
    assert dataset.name == "newsgroups" and dataset.target_names == CATEGORIES
    assert texts_train == train.data and texts_test == test.data
    assert y_train.tolist() == train.target.tolist() and y_test.tolist() == test.target.tolist()
    assert "sha256 ok" in dataset.source
    assert capsys.readouterr().out.startswith("text: newsgroups, 18 texts")


def test_stripping_equals_scikit_learns_remove(tmp_path, monkeypatch):
    from sklearn.datasets import fetch_20newsgroups

    raw = fake_archive()
    sklearn_reference(tmp_path, monkeypatch, raw, "test")           # caches scikit-learn's copy
    reference = fetch_20newsgroups(data_home=str(tmp_path / "sklearn_home"), subset="test",
                                   categories=CATEGORIES, remove=("headers", "footers", "quotes"))
    texts, targets = data.read_newsgroups(raw, data.NEWSGROUPS_CATEGORIES)["test"]
    stripped = data.strip_newsgroup_metadata(texts)
    assert stripped == reference.data and targets == reference.target.tolist()
    assert not any("From:" in text or "> quoted" in text for text in stripped)


def test_links_and_escaping_paths_are_never_read(tmp_path, monkeypatch):
    clean, hostile = fake_archive(), fake_archive(hostile=True)
    read = data.read_newsgroups(hostile, data.NEWSGROUPS_CATEGORIES)
    assert read == data.read_newsgroups(clean, data.NEWSGROUPS_CATEGORIES)
    for texts, _ in read.values():
        assert len(texts) > 5 and not any("ESCAPED" in t or "root:" in t for t in texts)
    assert not (tmp_path.parent / "escaped").exists() and not list(tmp_path.rglob("escaped"))


def test_an_archive_without_a_category_is_a_clear_error():
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        _add(archive, "20news-bydate-train/alt.atheism/1", b"only one category\n")
    with pytest.raises(assets.AssetError, match=r"no 20news-bydate-train/ folder for "
                                                r"\['soc.religion.christian'\]"):
        data.read_newsgroups(buffer.getvalue(), data.NEWSGROUPS_CATEGORIES)
    with pytest.raises(assets.AssetError, match="could not be read"):
        data.read_newsgroups(b"not a tar.gz", data.NEWSGROUPS_CATEGORIES)


# --- nothing from the cache is unpickled ---------------------------------------------------
class _Planted:
    """Unpickling this opens (creates) a marker file: the side effect a crafted pkz could have."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return builtins.open, (self.marker, "w")


def _plant_pkz(marker) -> list:
    payload = zlib.compress(pickle.dumps({"train": _Planted(marker), "test": _Planted(marker)}))
    paths = [assets.data_dir() / "scikit_learn_data" / "20news-bydate_py3.pkz",
             assets.data_dir() / "text" / "20news-bydate_py3.pkz"]
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(payload)
    return paths


def test_a_crafted_pkz_in_the_cache_is_never_unpickled(tmp_path, monkeypatch):
    marker = tmp_path / "unpickled"
    pkz = _plant_pkz(marker)
    # it would run: scikit-learn's loader opens this very file and unpickles it
    from sklearn.datasets import fetch_20newsgroups

    with pytest.raises(Exception):
        fetch_20newsgroups(data_home=str(pkz[0].parent), download_if_missing=False)
    assert marker.exists()
    marker.unlink()
    # ours: offline without the archive, it falls back and never opens the pkz
    dataset = data.load_text_dataset("newsgroups", verbose=False)
    assert dataset.name == "drug_reviews" and "instead of newsgroups: offline" in dataset.source
    assert not marker.exists()
    # with the (pinned) archive cached beside it, the archive's documents are returned
    _cache(fake_archive(), monkeypatch)
    dataset = data.load_text_dataset("newsgroups", verbose=False)
    assert dataset.name == "newsgroups" and len(dataset) == 18 and not marker.exists()
    assert all(path.read_bytes()[:1] == b"x" for path in pkz)        # left alone, untouched


# --- the cached archive is checked against the pinned hash before every read ----------------
def test_a_mismatching_archive_is_removed_and_not_read_offline(monkeypatch):
    path = _cache(fake_archive(planted="PLANTED"), monkeypatch, pin=fake_archive())
    dataset = data.load_text_dataset("newsgroups", verbose=False)
    assert dataset.name == "drug_reviews" and not path.exists()
    assert ("instead of newsgroups: offline mode; it needs the network once; the cached "
            "20news-bydate.tar.gz failed its sha256 check and was removed") in dataset.source


def test_a_mismatching_archive_in_a_read_only_cache_is_ignored(monkeypatch):
    path = _cache(fake_archive(planted="PLANTED"), monkeypatch, pin=fake_archive())

    def refuse(self, missing_ok=False):
        raise PermissionError(13, "Read-only file system", str(self))

    monkeypatch.setattr(type(path), "unlink", refuse)
    dataset = data.load_text_dataset("newsgroups", verbose=False)
    assert dataset.name == "drug_reviews" and path.exists()
    assert "failed its sha256 check and was ignored (the data dir is read-only" in dataset.source
    assert "\n" not in dataset.source


def test_a_same_size_same_time_swap_is_caught(monkeypatch):
    """The check hashes the bytes it parses, so a copy with the old size and mtime is refused."""
    raw = fake_archive()
    path = _cache(raw, monkeypatch)
    assert data.load_text_dataset("newsgroups", verbose=False).name == "newsgroups"
    stat = path.stat()
    tampered = bytearray(raw)
    tampered[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(tampered))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    dataset = data.load_text_dataset("newsgroups", verbose=False)
    assert dataset.name == "drug_reviews" and "failed its sha256 check" in dataset.source


class _FakeDownloader:
    """Stands in for pooch's HTTP downloader: 'downloads' the bytes it is given."""

    payload = b""
    urls = []

    def __init__(self, **kwargs):
        pass

    def __call__(self, url, output_file, pooch):
        type(self).urls.append(url)
        with open(output_file, "wb") as handle:
            handle.write(type(self).payload)


@pytest.fixture
def fake_network(monkeypatch):
    import pooch

    monkeypatch.setenv("COURSE_OFFLINE", "0")
    monkeypatch.setattr(assets, "reachable", lambda host, *a, **k: True)
    monkeypatch.setattr(pooch, "HTTPDownloader", _FakeDownloader)
    monkeypatch.setattr(_FakeDownloader, "urls", [])
    return _FakeDownloader


def test_a_mismatching_archive_is_downloaded_again_online(monkeypatch, fake_network):
    clean = fake_archive()
    path = _cache(fake_archive(planted="PLANTED"), monkeypatch, pin=clean)
    fake_network.payload = clean
    dataset = data.load_text_dataset("newsgroups", verbose=False)
    assert dataset.name == "newsgroups" and "re-downloaded" in dataset.source
    assert not any("PLANTED" in text for text in dataset.texts)
    assert fake_network.urls == [data.NEWSGROUPS_URL] and path.read_bytes() == clean


def test_a_download_that_does_not_match_is_refused(monkeypatch, fake_network):
    monkeypatch.setattr(data, "NEWSGROUPS_SHA256", hashlib.sha256(fake_archive()).hexdigest())
    fake_network.payload = fake_archive(planted="PLANTED")
    dataset = data.load_text_dataset("newsgroups", verbose=False)
    assert dataset.name == "drug_reviews" and "could not download" in dataset.source
    folder = assets.data_dir() / "text"
    assert not folder.exists() or not any(folder.iterdir())     # nothing left behind


def test_pinned_values_are_scikit_learns():
    from sklearn.datasets._twenty_newsgroups import ARCHIVE

    assert (data.NEWSGROUPS_URL, data.NEWSGROUPS_ARCHIVE, data.NEWSGROUPS_SHA256) == \
        (ARCHIVE.url, ARCHIVE.filename, ARCHIVE.checksum)
