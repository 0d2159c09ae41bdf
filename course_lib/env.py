"""The environment every notebook starts from: modes, device, seeds, plot defaults.

Two switches, read from the environment once at import time and again by :func:`setup`:

* ``COURSE_OFFLINE=1`` forbids the network: loaders use the assets that ship with the
  installed packages or that the project generates itself.
* ``COURSE_QUICK=1`` shrinks sample counts, image sizes and epochs (CI sets it; so can you
  on a slow laptop).

Colab sets neither. ``setup()`` prints one line that says which mode a notebook runs in.
"""
from __future__ import annotations

import os
import random
import sys
import warnings

#: The course's public repository: the single place its address is written.
#: The notebooks' setup cell and Colab badges are generated from it (``make sync``).
REPO_SLUG = "interpretable-ml-workshop/course"
REPO_URL = f"https://github.com/{REPO_SLUG}"
BRANCH = "main"

#: The second cell of every notebook, identical everywhere (a test checks).
SETUP_CELL = f"""\
# Setup: in Colab, install the course library; everywhere, print the mode and seed everything.
import sys
if "google.colab" in sys.modules:
    %pip install -q "course-lib @ git+{REPO_URL}@{BRANCH}"
import course_lib
course_lib.setup()"""

DEFAULT_SEED = 0

OFFLINE: bool = False
QUICK: bool = False
IN_COLAB: bool = False
# DEVICE ("cuda" or "cpu") is found on first use (see __getattr__), so that importing
# course_lib does not import torch.


def _flag(name: str) -> bool:
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
    """Re-read ``COURSE_OFFLINE``/``COURSE_QUICK`` and detect Colab (and the device if asked)."""
    global OFFLINE, QUICK, IN_COLAB
    OFFLINE = _flag("COURSE_OFFLINE")
    QUICK = _flag("COURSE_QUICK")
    IN_COLAB = "google.colab" in sys.modules
    if device:
        globals()["DEVICE"] = _detect_device()


def current_device() -> str:
    """``"cuda"`` when a CUDA GPU is available, else ``"cpu"`` (detected once, then cached)."""
    if "DEVICE" not in globals():
        globals()["DEVICE"] = _detect_device()
    return globals()["DEVICE"]


def __getattr__(name: str):  # module attribute DEVICE, computed on first use
    if name == "DEVICE":
        return current_device()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def pick(full, quick):
    """Return `quick` in quick mode (``COURSE_QUICK=1``) and `full` otherwise.

    >>> n_samples = pick(full=5000, quick=500)
    """
    return quick if QUICK else full


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
    mode = ("offline" if OFFLINE else "online") + ", " + ("quick" if QUICK else "full")
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
