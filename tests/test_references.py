"""course_lib.references: the pins, the pip commands, every path of the install cell and of a
comparison's import, and the notebooks that use them."""
import json
import re
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from course_lib import env, references
from course_lib.references import REFERENCES, SKIPPED

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import colab_twin  # noqa: E402

COLAB = colab_twin.read_freeze()
QUIET = ["install", "--quiet", "--retries", "2", "--timeout", "20"]


def pins(path: Path) -> dict[str, str]:
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return {colab_twin.canonical(line.split("==")[0]): line.split("==")[1]
            for line in lines if "==" in line}


def course_dependencies() -> set[str]:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {colab_twin.canonical(Requirement(r).name) for r in project["dependencies"]}


# --- the table --------------------------------------------------------------------------------

def test_pins_equal_the_requirement_files():
    """One version per package: what Colab installs is what the tests compare with here."""
    here = pins(ROOT / "requirements.txt") | pins(ROOT / "requirements-nodeps.txt")
    for reference in REFERENCES.values():
        assert here.get(colab_twin.canonical(reference.distribution)) == reference.version, reference


def contradictions(distribution: str) -> list[str]:
    """The requirements `distribution` declares that Colab's own version does not meet."""
    declared = [Requirement(r) for r in metadata.requires(distribution) or [] if "extra ==" not in r]
    return [str(r) for r in declared if colab_twin.canonical(r.name) in COLAB
            and not r.specifier.contains(COLAB[colab_twin.canonical(r.name)], prereleases=True)]


#: References installed with --no-deps although nothing they declare contradicts Colab: what
#: they declare and the comparison never imports (it would only add packages to the learner's Colab).
NOTHING_USED = {"torch-lucent": ["kornia<=0.4.1", "pytest", "pytest-mock", "coverage", "coveralls"]}


def test_no_deps_exactly_where_a_declared_requirement_contradicts_colab():
    """With its dependencies, pip would replace Colab's numpy, pandas, seaborn and networkx for
    pyartemis; every other reference's requirements are met by Colab or add packages Colab lacks,
    and only those of NOTHING_USED (declared, never imported by the comparison) skip them."""
    assert sorted(contradictions("pyartemis")) == [
        "networkx<3.0.0,>=2.8.8", "numpy<2.0.0,>=1.22.0", "pandas<2.0.0,>=1.5.1",
        "seaborn<0.13.0,>=0.12.1"]
    for name, reference in REFERENCES.items():
        assert (bool(contradictions(reference.distribution)) or name in NOTHING_USED) == reference.no_deps, name
    for name, unused in NOTHING_USED.items():
        declared = {str(Requirement(r)).replace(" ", "") for r in metadata.requires(name)}
        assert {u.replace(" ", "") for u in unused} <= declared, (name, declared)


def test_what_a_no_deps_reference_imports_is_there_before_it():
    """``uses`` (what a --no-deps reference imports): in Colab's freeze or a course dependency."""
    there = set(COLAB) | course_dependencies()
    for name, reference in REFERENCES.items():
        assert reference.no_deps or not reference.uses, name
        for used in reference.uses:
            assert colab_twin.canonical(used) in there, (name, used)


def test_pip_commands_group_by_no_deps():
    assert references.pip_commands("PyALE", "pyartemis") == [
        [*QUIET, "PyALE==1.2.0"], [*QUIET, "--no-deps", "pyartemis==0.1.5"]]
    assert references.pip_commands("mmd-critic", "anchor-exp", "dice-ml") == [
        [*QUIET, "mmd-critic==0.1.2", "anchor-exp==0.0.2.0", "dice-ml==0.12"]]
    assert references.pip_commands("pyartemis") == [[*QUIET, "--no-deps", "pyartemis==0.1.5"]]


# --- install(): one line on every path, never an exception for a missing network -------------

@pytest.fixture
def colab(monkeypatch):
    """Pretend to be Colab with nothing installed; pip calls are recorded, not run."""
    calls = []
    monkeypatch.setattr(env, "IN_COLAB", True)
    monkeypatch.setattr(references, "_registry_unreachable", lambda: "")
    monkeypatch.setattr(references, "_installed", lambda name: False)
    monkeypatch.setattr(references, "_pip", lambda arguments: calls.append(arguments) or "")
    monkeypatch.setattr(references, "_not_installed", {})
    return calls


def missing_module(module):
    def fail(name):
        raise ModuleNotFoundError(f"No module named {module!r}", name=module)
    return fail


def test_install_in_colab_runs_the_pip_commands_and_says_so(colab, monkeypatch, capsys):
    done = set()
    monkeypatch.setattr(references, "_pip",
                        lambda arguments: colab.append(arguments) or done.update(REFERENCES) or "")
    monkeypatch.setattr(references, "_installed", lambda name: name in done)
    assert references.install("PyALE", "pyartemis") is None  # nothing shown under the cell
    assert colab == references.pip_commands("PyALE", "pyartemis")
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["Installing PyALE 1.2.0, pyartemis 0.1.5 for the comparisons (under a minute) ...",
                     "installed: PyALE 1.2.0, pyartemis 0.1.5"]


def test_install_offline_prints_one_line_and_the_comparison_says_why(colab, monkeypatch, capsys):
    monkeypatch.setattr(references, "_registry_unreachable", lambda: "no network: pypi.org did not answer")
    references.install("PyALE")
    assert colab == []
    assert capsys.readouterr().out == ("no install (no network: pypi.org did not answer): "
                                       "the comparisons with PyALE will be skipped\n")
    monkeypatch.setattr(references.importlib, "import_module", missing_module("PyALE"))
    assert references.load("PyALE") is None
    line = capsys.readouterr().out
    assert line == f"{SKIPPED} PyALE: no install (no network: pypi.org did not answer)\n"
    assert references.skipped(line) == [line.strip()]


def test_a_failing_pip_is_one_line_and_stops_the_install(colab, monkeypatch, capsys):
    monkeypatch.setattr(references, "_pip", lambda arguments: colab.append(arguments)
                        or "ERROR: No matching distribution found for mmd-critic==0.1.2")
    references.install("mmd-critic", "pyartemis")
    assert len(colab) == 1  # the --no-deps command is not tried after the first failed
    out = capsys.readouterr().out.splitlines()
    assert out[1] == ("pip install failed (ERROR: No matching distribution found for "
                      "mmd-critic==0.1.2): the comparisons with mmd-critic, pyartemis will be skipped")
    monkeypatch.setattr(references.importlib, "import_module", missing_module("artemis"))
    references.load("artemis.interactions_methods.model_agnostic")
    assert "pyartemis: pip install failed (ERROR: No matching" in capsys.readouterr().out


def test_the_registry_probe_obeys_the_flag_and_a_refused_network(monkeypatch):
    monkeypatch.setattr(env, "OFFLINE", True)
    assert references._registry_unreachable() == "COURSE_OFFLINE=1"
    monkeypatch.setattr(env, "OFFLINE", False)

    def refused(address, timeout):
        raise ConnectionRefusedError(f"{address} refused")
    monkeypatch.setattr(references.socket, "create_connection", refused)
    assert references._registry_unreachable() == "no network: pypi.org did not answer"


def test_pip_really_reports_its_last_error_line():
    error = references._pip(["install", "--no-index", "--quiet", "no-such-package-at-all==1.0"])
    assert error.startswith("ERROR:") and "no-such-package-at-all" in error


def test_install_outside_colab_installs_nothing_and_says_what_is_missing(monkeypatch, capsys):
    monkeypatch.setattr(env, "IN_COLAB", False)
    monkeypatch.setattr(references, "_pip", lambda arguments: pytest.fail("pip ran outside Colab"))
    references.install("PyALE", "pyartemis")  # both installed here (requirements*.txt)
    assert capsys.readouterr().out == "reference packages ready: PyALE 1.2.0, pyartemis 0.1.5\n"
    monkeypatch.setattr(references, "_installed", lambda name: name != "pyartemis")
    references.install("PyALE", "pyartemis")
    line = capsys.readouterr().out
    assert line == ("not in Colab, so nothing is installed: the comparisons with pyartemis will be "
                    "skipped (pip install --no-deps pyartemis==0.1.5)\n")
    assert references.skipped(line) == [line.strip()]


def test_installed_means_the_pinned_version(monkeypatch):
    assert references._installed("dice-ml")
    monkeypatch.setattr(references.metadata, "version", lambda name: "0.11")  # another release
    assert not references._installed("dice-ml")


# --- load(): the module, or one line starting with SKIPPED -------------------------------------

def test_load_returns_the_module_when_installed(capsys):
    module = references.load("mmd_critic.kernels")
    assert module.RBFKernel and capsys.readouterr().out == ""


def test_load_names_a_missing_dependency_of_an_installed_reference(monkeypatch, capsys):
    monkeypatch.setattr(references.importlib, "import_module", missing_module("seaborn"))
    assert references.load("artemis.interactions_methods.model_agnostic") is None
    assert capsys.readouterr().out == (
        f"{SKIPPED} pyartemis: importing artemis.interactions_methods.model_agnostic failed "
        "(ModuleNotFoundError: No module named 'seaborn')\n")


def test_load_keeps_a_broken_import_to_one_line(monkeypatch, capsys):
    def broken(name):
        raise AttributeError("`np.float` was a deprecated alias\nsee the numpy 1.20 notes")
    monkeypatch.setattr(references.importlib, "import_module", broken)
    assert references.load("dice_ml") is None
    assert capsys.readouterr().out == (f"{SKIPPED} dice-ml: importing dice_ml failed "
                                       "(AttributeError: `np.float` was a deprecated alias)\n")


@pytest.mark.parametrize("in_colab, reason", [
    (False, "not installed here (pip install anchor-exp==0.0.2.0)"),
    (True, "not installed; run the install cell after the setup cell")])
def test_load_of_a_missing_reference_says_how_to_get_it(monkeypatch, capsys, in_colab, reason):
    monkeypatch.setattr(env, "IN_COLAB", in_colab)
    monkeypatch.setattr(references, "_not_installed", {})
    monkeypatch.setattr(references.importlib, "import_module", missing_module("anchor"))
    assert references.load("anchor.anchor_tabular") is None
    assert capsys.readouterr().out == f"{SKIPPED} anchor-exp: {reason}\n"


@pytest.mark.parametrize("call, error, words", [
    (lambda: references.load("sklearn"), ValueError, "module (its top-level package) must be one of"),
    (lambda: references.load(3), TypeError, "module must be a module name"),
    (lambda: references.install(), ValueError, "install needs reference names"),
    (lambda: references.install("PyAle"), ValueError, "name must be one of"),
    (lambda: references.pip_commands("shap"), ValueError, "name must be one of"),
])
def test_bad_names_are_one_line_errors(call, error, words):
    with pytest.raises(error, match=re.escape(words)) as caught:
        call()
    assert "\n" not in str(caught.value)


def test_skipped_finds_the_marker_and_older_skip_lines_only():
    text = "\n".join([
        f"{SKIPPED} PyALE: not installed here (pip install PyALE==1.2.0)",
        "pyartemis is not installed here: the comparison is skipped (the unit tests run it)",
        "mmd-critic is not installed here (pip install mmd-critic==0.1.2); the comparison is skipped",
        "skipped (no network: github.com did not answer): the ResNet-18 part",  # not a reference
        "Anchors skipped nothing",                                               # not a name
        "same prototypes and criticisms as mmd-critic: True",                    # not a skip
        "reference packages ready: PyALE 1.2.0, pyartemis 0.1.5"])
    assert references.skipped(text) == text.splitlines()[:3]


# --- the notebooks: every reference compared with is installed by the cell after setup ---------

IMPORTED = re.compile(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)|references\.load\(\s*[\"']([\w.]+)",
                      re.MULTILINE)


def install_cell(names) -> str:
    arguments = ", ".join(f'"{name}"' for name in names)
    return ("# In Colab, install the packages this lecture compares ours with (pinned versions; "
            "Colab's own\n# packages stay as they are). Elsewhere, say whether they are here.\n"
            f"from course_lib import references\nreferences.install({arguments})")


def lectures():
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def compared_with(cells) -> list[str]:
    found = set()
    for cell in cells:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            found.update(match[0] or match[1].split(".")[0] for match in IMPORTED.findall(source))
    return sorted({references.MODULES[m] for m in found if m in references.MODULES},
                  key=list(REFERENCES).index)


@pytest.mark.parametrize("path", lectures(), ids=lambda p: p.stem)
def test_a_lecture_that_compares_with_a_reference_installs_it_in_its_third_cell(path):
    cells = json.loads(path.read_text())["cells"]
    names = compared_with(cells)
    installing = [i for i, cell in enumerate(cells) if "references.install(" in "".join(cell["source"])]
    if not names:
        assert installing == [], f"{path.name} installs references it never compares with"
        return
    assert installing == [2] and "".join(cells[2]["source"]) == install_cell(names), (
        f"{path.name}: cell 2 should be exactly:\n{install_cell(names)}")


def test_lectures_07_08_and_10_compare_with_all_six():
    by_lecture = {p.stem[:2]: compared_with(json.loads(p.read_text())["cells"]) for p in lectures()}
    assert by_lecture["07"] == ["PyALE", "pyartemis"]
    assert by_lecture["08"] == ["mmd-critic", "anchor-exp", "dice-ml"]
    assert by_lecture["10"] == ["torch-lucent"]
