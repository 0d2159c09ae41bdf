"""The reference packages that lectures 07, 08 and 10 compare with and Colab lacks: how a notebook
installs them (in Colab only) and how a comparison cell imports one.

The cell after the setup cell installs what the lecture compares with::

    from course_lib import references
    references.install("PyALE", "pyartemis")

and every comparison imports its reference through :func:`load`::

    pyale = references.load("PyALE")   # the module, or None after one "skipped" line saying why
    if pyale is not None:
        ...

The install changes none of Colab's preinstalled packages: versions are pinned, and a package
whose declared requirements contradict Colab's versions (pyartemis asks for numpy<2) goes in
with ``--no-deps`` (what it imports is all in Colab). ``make test-colab`` runs the same
:func:`pip_commands` in the Colab twin, fails if pip's report changes a preinstalled package,
and fails if a lecture prints :data:`SKIPPED` (the line :func:`load` prints when it cannot
import a reference) or any other "skipped" line naming a reference.
"""
from __future__ import annotations

import importlib
import re
import socket
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata

from . import env
from ._validation import check_choice

#: How every skipped reference comparison starts its one line (the lanes fail on it).
SKIPPED = "reference comparison skipped:"
#: Where pip downloads from: asked once (a couple of seconds at most) before pip runs.
REGISTRY = "pypi.org"
#: pip gives up after this long (a network that answers the probe but not PyPI).
INSTALL_TIMEOUT = 300
#: Bounded retries, so that a network lost halfway fails in about a minute, not ten.
PIP_OPTIONS = ("--quiet", "--retries", "2", "--timeout", "20")


@dataclass(frozen=True)
class Reference:
    """One reference package: its pinned requirement and the module its comparison imports.

    ``no_deps``: installed with ``pip install --no-deps`` because a requirement it declares
    contradicts Colab's own version (pip would replace Colab's package); ``uses`` then names what
    it imports, all preinstalled in Colab (the Colab twin installs Colab's copies of those).
    """
    requirement: str
    module: str
    no_deps: bool = False
    uses: tuple[str, ...] = ()

    @property
    def distribution(self) -> str:
        return self.requirement.split("==")[0]

    @property
    def version(self) -> str:
        return self.requirement.split("==")[1]

    def pip_line(self) -> str:
        """What a learner types to install it by hand."""
        return "pip install " + ("--no-deps " if self.no_deps else "") + self.requirement


#: Name -> how to install it. Pins equal requirements.txt / requirements-nodeps.txt (tested).
REFERENCES = {
    # notebook 07: ALE; needs statsmodels and the usual stack, all in Colab
    "PyALE": Reference("PyALE==1.2.0", "PyALE"),
    # notebook 07: the H-statistic; asks for numpy<2, pandas<2, seaborn<0.13 and networkx<3
    "pyartemis": Reference("pyartemis==0.1.5", "artemis.interactions_methods.model_agnostic",
                           no_deps=True, uses=("seaborn", "networkx", "tqdm")),
    # notebook 08: MMD-critic; needs numpy and numexpr, both in Colab
    "mmd-critic": Reference("mmd-critic==0.1.2", "mmd_critic"),
    # notebook 08: Anchors; needs spacy (in Colab) and lime (installed with the course)
    "anchor-exp": Reference("anchor-exp==0.0.2.0", "anchor.anchor_tabular"),
    # notebook 08: DiCE; needs xgboost and lightgbm (in Colab) and brings raiutils
    "dice-ml": Reference("dice-ml==0.12", "dice_ml"),
    # notebook 10: feature visualisation; asks for kornia<=0.4.1 (only its transformations
    # import it, which the comparison does not use) and for test tools; imports decorator
    "torch-lucent": Reference("torch-lucent==0.1.8", "lucent.optvis.param", no_deps=True,
                              uses=("decorator",)),
}
#: Top-level module -> reference name.
MODULES = {reference.module.split(".")[0]: name for name, reference in REFERENCES.items()}

#: Name -> why this session's install did not put it in (read by :func:`load`'s skip line).
_not_installed: dict[str, str] = {}


def pip_commands(*names: str) -> list[list[str]]:
    """The pip arguments (after ``python -m pip``) that install the named references: one
    command for those whose requirements fit Colab, one ``--no-deps`` command for the rest."""
    chosen = [REFERENCES[_checked(name)] for name in names]
    with_deps = [r.requirement for r in chosen if not r.no_deps]
    without = [r.requirement for r in chosen if r.no_deps]
    commands = [["install", *PIP_OPTIONS, *with_deps]] if with_deps else []
    if without:
        commands.append(["install", *PIP_OPTIONS, "--no-deps", *without])
    return commands


def install(*names: str) -> None:
    """In Colab, install the named reference packages at their pinned versions; elsewhere, say
    which are missing. Prints one line (two while pip runs) and never raises for a missing
    network or a failed pip: the comparisons then say they are skipped and why."""
    if not names:
        raise ValueError("install needs reference names, e.g. install('PyALE'); known: "
                         f"{tuple(REFERENCES)}")
    names = tuple(dict.fromkeys(_checked(name) for name in names))
    missing = [name for name in names if not _installed(name)]
    if not missing:
        print("reference packages ready:", ", ".join(_pinned(names)))
        return
    if not env.IN_COLAB:
        by_hand = "; ".join(REFERENCES[name].pip_line() for name in missing)
        print(f"not in Colab, so nothing is installed: the comparisons with {', '.join(missing)} "
              f"will be skipped ({by_hand})")
        return
    reason = _registry_unreachable()
    if reason:
        return _give_up(missing, f"no install ({reason})")
    print(f"Installing {', '.join(_pinned(missing))} for the comparisons (under a minute) ...",
          flush=True)
    for command in pip_commands(*missing):
        error = _pip(command)
        if error:
            return _give_up(missing, f"pip install failed ({error})")
    importlib.invalidate_caches()  # so that this kernel finds the new packages without a restart
    missing = [name for name in missing if not _installed(name)]
    if missing:
        return _give_up(missing, "pip finished but did not install them")
    print("installed:", ", ".join(_pinned(names)))


def load(module: str):
    """Import `module` (or a submodule) of a reference package for a comparison cell.

    Returns the module, or None after printing one line, starting with :data:`SKIPPED`, that
    says why (not installed, the install cell's reason, or the import's own error)."""
    if not isinstance(module, str):
        raise TypeError("module must be a module name such as 'PyALE', got "
                        f"{type(module).__name__}")
    name = MODULES[check_choice(module.split(".")[0], "module (its top-level package)", MODULES)]
    try:
        return importlib.import_module(module)
    except Exception as error:  # not installed, or installed without something it imports
        print(SKIPPED, f"{name}: {_why(name, module, error)}")
        return None


def skipped(text: str) -> list[str]:
    """The lines of a notebook's printed output that report a skipped reference comparison: those
    :func:`load` and :func:`install` print, and any other line saying "skipped" that names a
    reference package or its module (a comparison that skips without :func:`load`)."""
    names = sorted({*REFERENCES, *MODULES, *(r.module for r in REFERENCES.values())},
                   key=len, reverse=True)  # "artemis.interactions..." before "artemis"
    named = re.compile(r"(?<![\w.-])(" + "|".join(map(re.escape, names)) + r")(?![\w-])",
                       re.IGNORECASE)
    return [line.strip() for line in text.splitlines() if line.lstrip().startswith(SKIPPED)
            or ("skipped" in line.lower() and named.search(line))]


def _why(name: str, module: str, error: Exception) -> str:
    package = module.split(".")[0]
    if not (isinstance(error, ModuleNotFoundError) and (error.name or "").split(".")[0] == package):
        first_line = (str(error).splitlines() or [""])[0]
        return f"importing {module} failed ({type(error).__name__}: {first_line})"
    if name in _not_installed:
        return _not_installed[name]
    if env.IN_COLAB:
        return "not installed; run the install cell after the setup cell"
    return f"not installed here ({REFERENCES[name].pip_line()})"


def _checked(name: str) -> str:
    return check_choice(name, "name", REFERENCES)


def _pinned(names) -> list[str]:
    return [f"{name} {REFERENCES[name].version}" for name in names]


def _installed(name: str) -> bool:
    reference = REFERENCES[name]
    try:
        return metadata.version(reference.distribution) == reference.version
    except metadata.PackageNotFoundError:
        return False


def _give_up(missing: list[str], reason: str) -> None:
    _not_installed.update(dict.fromkeys(missing, reason))
    print(f"{reason}: the comparisons with {', '.join(missing)} will be skipped")


def _registry_unreachable() -> str:
    """Why pip cannot download ("" when it can): ``COURSE_OFFLINE=1``, or no answer from PyPI."""
    if env.OFFLINE:
        return "COURSE_OFFLINE=1"
    try:
        with socket.create_connection((REGISTRY, 443), timeout=env.PROBE_TIMEOUT):
            return ""
    except OSError:  # no DNS, refused, unreachable, timed out
        return f"no network: {REGISTRY} did not answer"


def _pip(arguments: list[str]) -> str:
    """Run ``python -m pip ARGUMENTS``; "" when it worked, else its last error line."""
    try:
        done = subprocess.run([sys.executable, "-m", "pip", *arguments], capture_output=True,
                              text=True, timeout=INSTALL_TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"no answer in {INSTALL_TIMEOUT} s"
    if done.returncode == 0:
        return ""
    lines = [line.strip() for line in (done.stderr + done.stdout).splitlines() if line.strip()]
    return lines[-1] if lines else f"exit status {done.returncode}"
