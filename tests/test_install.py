"""The Colab install cell must reuse Colab's preinstalled packages (the whole check, with Colab's
Python and versions, is `make test-colab`; these are its fast, local parts)."""
import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
DEEP_STACK = {"torch", "torchvision", "fastai"}
sys.path.insert(0, str(ROOT / "tools"))
from colab_twin import read_freeze  # noqa: E402  (the twin's reader of colab/pip-freeze.txt)

#: Colab's published versions (colab/pip-freeze.txt): our ranges, and our dependencies', admit them.
COLAB = read_freeze()


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement.strip(), maxsplit=1)[0].lower()


def project_dependencies() -> list[str]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]


def test_pyproject_names_no_deep_learning_stack():
    named = {_name(r) for r in project_dependencies()}
    assert not named & DEEP_STACK, f"pyproject pins {named & DEEP_STACK}; Colab must keep its own"


def test_pyproject_ranges_are_lower_bounds_only():
    for requirement in map(Requirement, project_dependencies()):
        operators = {spec.operator for spec in requirement.specifier}
        assert operators <= {">="}, f"{requirement} should be a loose lower bound (>=)"


def test_dependencies_admit_colab_like_torch():
    """Walk the installed dependency tree: every range on torch/torchvision/fastai admits Colab's."""
    seen, stack, constraints = set(), [_name(r) for r in project_dependencies()], []
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for text in requires:
            requirement = Requirement(text)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            dep = requirement.name.lower()
            if dep in DEEP_STACK:  # Colab's own copies bring their own consistent ranges
                constraints.append((name, requirement))
            else:
                stack.append(dep)
    assert constraints, "expected some dependency (captum, grad-cam, timm) to need torch"
    for owner, requirement in constraints:
        version = Version(COLAB[requirement.name.lower()])
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{owner} requires {requirement}, which would replace Colab's "
            f"{requirement.name} {version}")


@pytest.mark.skipif(Version(metadata.version("setuptools")) < Version("77"),
                    reason="builds without isolation, and this setuptools predates SPDX licences; the "
                           "setup cell's isolated build is checked by make test-colab")
def test_dry_run_install_changes_nothing_but_course_lib(tmp_path):
    report = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--no-build-isolation",
         "--quiet", "--report", str(report), str(ROOT)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    wanted = {item["metadata"]["name"].lower() for item in json.loads(report.read_text())["install"]}
    assert wanted == {"course-lib"}, f"installing course_lib would also change {wanted - {'course-lib'}}"


def test_pyproject_admits_every_colab_version():
    """Each lower bound admits the version Colab preinstalls, so the setup cell upgrades nothing."""
    for requirement in map(Requirement, project_dependencies()):
        colab = COLAB.get(requirement.name.lower().replace("_", "-"))
        if colab is not None:
            assert requirement.specifier.contains(Version(colab), prereleases=True), (
                f"pyproject asks for {requirement}; Colab has {colab}, which pip would replace")


def test_freeze_is_colabs_python_313_runtime():
    text = (ROOT / "colab" / "pip-freeze.txt").read_text()
    assert text.startswith("# Colab's CPU runtime") and "googlecolab/backend-info" in text
    assert COLAB["torch"] == "2.11.0" and COLAB["ipywidgets"].startswith("7.")


def test_requirements_pin_the_tested_torch():
    text = (ROOT / "requirements.txt").read_text()
    assert "torch==2.14.1" in text and "torchvision==0.29.1" in text
    assert "-e ." in text
