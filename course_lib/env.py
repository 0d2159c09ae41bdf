"""The environment every notebook starts from: modes, device, seeds, plot defaults.

Two switches, read from the environment once at import time and again by :func:`setup`:

* ``COURSE_OFFLINE=1`` forbids the network: loaders use the assets that ship with the
  installed packages or that the project generates itself.
* ``COURSE_QUICK=1`` shrinks sample counts, image sizes and epochs (CI sets it; so can you
  on a slow laptop).

Colab sets neither. ``setup()`` prints one line that says which mode a notebook runs in.

Without the flag, cells that need the internet ask :data:`ONLINE` (a module attribute computed
on first use by :func:`network_available`): one probe of the hosts the course downloads from,
a few seconds at most, cached, and never run when ``COURSE_OFFLINE=1``. A missing network is
then a normal mode, like the flag: the cell says what it skipped and the notebook goes on.
"""
from __future__ import annotations

import numbers
import os
import random
import socket
import sys
import warnings

# --- Where the course lives: the one setting an instructor changes ---------------------------
#: The repository the notebooks' setup cell installs from and their Colab badges open, and the
#: version (a branch, or a tag such as "v1.0" to pin a workshop). Change them with
#: ``make sync REPO=owner/name REF=v1.0``, which rewrites these two lines and regenerates every
#: badge, setup cell and README link; ``make sync-check`` (and the tests) fail when they disagree.
REPO_SLUG = "interpretable-ml-workshop/course"
REF = "main"
REPO_URL = f"https://github.com/{REPO_SLUG}"

#: The second cell of every notebook, identical everywhere (a test checks). In Colab it installs
#: the course (its own packages stay as they are: the install adds only what Colab lacks).
SETUP_CELL = f"""\
# Setup: in Colab, install the course library (about a minute); everywhere, print the mode.
import sys
if "google.colab" in sys.modules:
    print("Installing course-lib from {REPO_SLUG}@{REF} (about a minute) ...")
    %pip install -q "course-lib @ git+{REPO_URL}@{REF}"
import course_lib
course_lib.setup()"""



def colab_url(relative_path: str) -> str:
    """The Open-in-Colab address of a notebook, given by its path inside the repository."""
    return f"https://colab.research.google.com/github/{REPO_SLUG}/blob/{REF}/{relative_path}"


def repository_url(relative_path: str) -> str:
    """The address of a file of the repository at :data:`REF` (it renders notebooks too)."""
    return f"{REPO_URL}/blob/{REF}/{relative_path}"


DEFAULT_SEED = 0

OFFLINE: bool = False
QUICK: bool = False
IN_COLAB: bool = False
# DEVICE ("cuda" or "cpu") and ONLINE (True/False) are found on first use (see __getattr__),
# so that importing course_lib neither imports torch nor opens a socket.

#: Hosts the online cells download from; the network counts as available when one answers.
PROBE_HOSTS = ("github.com", "download.pytorch.org", "s3.amazonaws.com")
PROBE_TIMEOUT = 2.0  # seconds per host; three hosts at most, so never more than ~6 s


def flag(name: str) -> bool:
    """True when the environment variable `name` is set to a true-looking value."""
    value = os.environ.get(name, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ValueError(f"{name}={value!r} is not understood; set it to 1 (on) or 0 (off)")


def _detect_device() -> str:
    try:
        import torch
    except ImportError:
        return "cpu"
    return "cuda" if torch.cuda.is_available() else "cpu"


def refresh(device: bool = False) -> None:
    """Re-read ``COURSE_OFFLINE``/``COURSE_QUICK`` and detect Colab (and the device if asked).

    The network probe's cached answer is forgotten, so the next use of :data:`ONLINE` asks again.
    """
    global OFFLINE, QUICK, IN_COLAB
    OFFLINE = flag("COURSE_OFFLINE")
    QUICK = flag("COURSE_QUICK")
    IN_COLAB = "google.colab" in sys.modules
    globals().pop("ONLINE", None)
    if device:
        globals()["DEVICE"] = _detect_device()


def _answers(host: str, port: int = 443, timeout: float = PROBE_TIMEOUT) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:  # no DNS, refused, unreachable, timed out
        return False


def network_available() -> bool:
    """True when the internet answers: ``COURSE_OFFLINE`` is unset and a download host accepts
    a connection. Probed once (a few seconds at most), then cached until :func:`refresh`."""
    if "ONLINE" not in globals():
        globals()["ONLINE"] = (not OFFLINE) and any(_answers(host) for host in PROBE_HOSTS)
    return globals()["ONLINE"]


def offline_reason() -> str:
    """Why online cells are skipped: the flag or the missing network (empty when online)."""
    if OFFLINE:
        return "COURSE_OFFLINE=1"
    return "" if network_available() else "no network: " + ", ".join(PROBE_HOSTS) + " did not answer"


def current_device() -> str:
    """``"cuda"`` when a CUDA GPU is available, else ``"cpu"`` (detected once, then cached)."""
    if "DEVICE" not in globals():
        globals()["DEVICE"] = _detect_device()
    return globals()["DEVICE"]


def __getattr__(name: str):  # module attributes DEVICE and ONLINE, computed on first use
    if name == "DEVICE":
        return current_device()
    if name == "ONLINE":
        return network_available()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def pick(full, quick, gpu=None):
    """Return `quick` in quick mode (``COURSE_QUICK=1``) and `full` otherwise; in full mode on a
    GPU (:data:`DEVICE` is ``"cuda"``), `gpu` when it is given.

    >>> n_samples = pick(full=5000, quick=500)
    >>> max_evals = pick(full=400, quick=64, gpu=2000)   # a GPU affords the finer picture
    """
    if QUICK:
        return quick
    if gpu is not None and current_device() == "cuda":
        return gpu
    return full


def announce(seconds, what: str) -> float:
    """Print the line a long cell starts with, ``Estimated time: about N s on this machine (what).``,
    and return N.

    `seconds` is measured, not guessed: time a small piece of the cell (one batch, one model,
    one row) and scale it by the number of pieces, plus what the cell has already spent.
    ``tools/bench_lectures.py`` finds these lines and checks each against its cell's real time.
    Like the progress bars, the line is shown in full mode only: in quick mode (CI), a notebook
    run twice must print the same text, and its cells are short.
    """
    if isinstance(seconds, bool) or not isinstance(seconds, numbers.Real) or not seconds >= 0:
        raise ValueError(f"seconds must be a number of seconds >= 0, got {seconds!r}")
    rounded = float(round(seconds)) if seconds >= 10 else round(float(seconds), 1)
    if not QUICK:
        print(f"Estimated time: about {rounded:g} s on this machine ({what}).", flush=True)
    return rounded


def seed_everything(seed: int = DEFAULT_SEED) -> None:
    """Seed python's ``random``, numpy's global RNG and torch (CPU and CUDA)."""
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    import numpy as np

    np.random.seed(seed)
    try:
        import torch
    except ImportError:
        return
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


def _version(package: str) -> str:
    from importlib import metadata  # here, not at the top: it costs ~35 ms at import

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "-"


def versions() -> dict[str, str]:
    """Versions of the packages the course leans on (``-`` when not installed)."""
    names = ["course-lib", "numpy", "scikit-learn", "torch", "shap", "lime", "grad-cam",
             "captum", "fastai"]
    return {name: _version(name) for name in names}


def set_plot_defaults() -> None:
    """Readable figure size and font; a non-interactive backend outside notebooks."""
    import matplotlib

    if "ipykernel" not in sys.modules and not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({
        "figure.figsize": (7.0, 4.0),
        "figure.dpi": 90,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": 10,
    })


def describe() -> str:
    """One line: mode, device and the key versions."""
    if OFFLINE:
        network = "offline"
    else:
        network = "online" if network_available() else "offline (no network)"
    mode = network + ", " + ("quick" if QUICK else "full")
    where = "Colab" if IN_COLAB else "local"
    vers = " ".join(f"{k}={v}" for k, v in versions().items() if v != "-")
    return f"course_lib: {mode} mode, {where}, device={current_device()} | {vers}"


def setup(seed: int = DEFAULT_SEED, verbose: bool = True) -> None:
    """Prepare a notebook: read the mode flags, pick the device, seed everything, set plot defaults.

    Prints one line (:func:`describe`) such as
    ``course_lib: offline, quick mode, local, device=cpu | numpy=2.4.6 torch=2.14.1 ...``.
    Deterministic: running a notebook twice gives the same text output.
    """
    refresh(device=True)
    seed_everything(seed)
    set_plot_defaults()
    # quieter notebooks: these warnings are about the reference packages, not the learner
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", message=".*Pandas4Warning.*")
    if verbose:
        print(describe())


refresh()
