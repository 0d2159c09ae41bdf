"""A twin of Colab's runtime for `make test-colab`: Colab's Python and package versions, the
course installed the way the notebooks' setup cell installs it, and a check that installing it
changes none of Colab's preinstalled packages.

    python tools/colab_twin.py build --python PYTHON3.13 [--venv .venv-colab]
    python tools/colab_twin.py refresh          # download Colab's newest published freeze

Colab publishes its runtime in the googlecolab/backend-info repository (``pip-freeze.txt``,
``os-info.txt``); ``colab/pip-freeze.txt`` is a copy, its first lines say from when. ``build``:

1. creates the venv with the given Python (3.13 like Colab; a one-line error if it is missing);
2. installs Colab's versions of every package the course and its tests touch: the resolver is
   asked, under the freeze as constraints, which packages installing the course would need, and
   those that Colab preinstalls are installed at Colab's versions (torch and torchvision from
   PyPI: the same release as Colab's CPU wheels), and anything Colab lacks is uninstalled;
3. builds the course as a wheel, as pip does for the setup cell's ``git+`` address;
4. asks pip, with no constraints (as in Colab), what installing that wheel would change, and fails
   if any preinstalled package would be upgraded or downgraded (the report is kept in the venv);
5. installs the wheel;
6. runs the install that lectures 07 and 08 run in Colab (``course_lib.references.pip_commands``,
   from the registry), each command first as a dry run that fails the build if it would change a
   preinstalled package (``reference-install-report.json``), then imports every reference;
7. installs the test runners (under the freeze, so they move nothing either).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FREEZE = ROOT / "colab" / "pip-freeze.txt"
FREEZE_URL = "https://raw.githubusercontent.com/googlecolab/backend-info/main/pip-freeze.txt"
#: What the notebooks and tests import besides the course's own dependencies: Colab has them all.
PREINSTALLED_EXTRA = ["torch", "torchvision", "fastai", "ipykernel", "ipywidgets", "nbclient",
                      "nbformat", "pytest", "jupyter_client", "sentence-transformers"]
#: Test runners Colab does not ship; installed last, under the freeze.
TEST_TOOLS = ["nbval==0.11.0", "pytest-xdist==3.8.0", "pytest-timeout==2.4.0",
              "hypothesis==6.155.2"]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_freeze(path: Path = FREEZE) -> dict[str, str]:
    """{canonical name: version} from a pip freeze; ``name @ url`` lines give the wheel's version
    without its local tag (``torch-2.11.0%2Bcpu-...whl`` -> 2.11.0), sources without a version
    (``@ file://``, ``@ git+``) are left out."""
    versions = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if " @ " in line:
            name, url = (part.strip() for part in line.split(" @ ", 1))
            wheel = url.split("#")[0].rsplit("/", 1)[-1]
            if wheel.endswith(".whl"):  # name-version-tags.whl, version maybe 2.11.0%2Bcpu
                versions[canonical(name)] = wheel.split("-")[1].split("%2B")[0].split("+")[0]
            continue
        name, _, version = line.partition("==")
        if version:
            versions[canonical(name)] = version.strip()
    return versions


#: Colab's torch is a CPU wheel from PyTorch's own index, which only PyPI's CUDA build of the same
#: release can stand in for here; that build brings its own CUDA libraries, pinned by torch itself.
#: Colab's copies of these (used by other packages there) are left out of the constraints.
CUDA_BUILD_PARTS = ("nvidia-", "cuda-", "triton")


def write_constraints(versions: dict[str, str], path: Path) -> Path:
    kept = {name: version for name, version in versions.items()
            if not name.startswith(CUDA_BUILD_PARTS)}
    path.write_text("".join(f"{name}=={version}\n" for name, version in sorted(kept.items())))
    return path


def twin_environment() -> dict[str, str]:
    """This process's environment without PYTHONPATH: a checkout on it would show pip the
    checkout's course_lib.egg-info as an installed course-lib (and the twin would lack it)."""
    return {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}


def run(*command, **kwargs) -> subprocess.CompletedProcess:
    print("+", " ".join(map(str, command)), flush=True)
    return subprocess.run([str(c) for c in command], check=True, env=twin_environment(), **kwargs)


def pip_report(python: Path, *args) -> list[dict]:
    """What `pip install --dry-run` would install: [{name, version}]."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        run(python, "-m", "pip", "install", "--dry-run", "--quiet", "--report", report, *args)
        items = json.loads(report.read_text())["install"]
    return [{"name": canonical(i["metadata"]["name"]), "version": i["metadata"]["version"]}
            for i in items]


def changes_to_preinstalled(report: list[dict], colab: dict[str, str]) -> list[str]:
    """Lines naming every preinstalled Colab package that the install would replace."""
    return [f"{item['name']} {colab[item['name']]} -> {item['version']}" for item in report
            if item["name"] in colab and not item["name"].startswith(CUDA_BUILD_PARTS)
            and item["version"].split("+")[0] != colab[item["name"]]]


def build(python: str, venv: Path) -> int:
    interpreter = shutil.which(python) if python else None
    if not interpreter:
        print(f"colab twin: Python 3.13 not found (looked for {python!r}); install it (e.g. "
              "`pyenv install 3.13`) or pass COLAB_PYTHON=/path/to/python3.13", file=sys.stderr)
        return 2
    found = subprocess.run([interpreter, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                           capture_output=True, text=True).stdout.strip()
    if found != "3.13":
        print(f"colab twin: {interpreter} is Python {found}; Colab runs 3.13", file=sys.stderr)
        return 2
    colab = read_freeze()
    if not (venv / "bin" / "python").exists():
        run(interpreter, "-m", "venv", venv)
    py = venv / "bin" / "python"
    run(py, "-m", "pip", "install", "--quiet", f"pip=={colab['pip']}")  # Colab's pip resolves
    constraints = write_constraints(colab, venv / "colab-constraints.txt")

    with tempfile.TemporaryDirectory() as tmp:
        # 3. the wheel, built as pip builds the setup cell's git+ address (isolated build)
        run(py, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", tmp, ROOT)
        wheel = next(Path(tmp).glob("course_lib-*.whl"))
        # 2. Colab's copies of everything the course needs (what the resolver picks under the
        #    freeze, kept to the packages Colab really has)
        needed = pip_report(py, "--ignore-installed", "-c", constraints, wheel,
                            *PREINSTALLED_EXTRA, *reference_needs())
        preinstalled = sorted(f"{i['name']}=={colab[i['name']]}" for i in needed
                              if i["name"] in colab and not i["name"].startswith(CUDA_BUILD_PARTS))
        run(py, "-m", "pip", "install", "--quiet", "-c", constraints, *preinstalled)
        # back to Colab's state: nothing installed that Colab lacks (a previous run's course_lib,
        # lime, test runners...), so the dry run below sees what the setup cell would see
        extra = sorted(name for name in set(installed(py)) - set(colab) - {"pip"}
                       if not name.startswith(CUDA_BUILD_PARTS))
        if extra:
            run(py, "-m", "pip", "uninstall", "--quiet", "--yes", *extra)
        # 4. what the setup cell's install would change, asked without constraints as in Colab
        report = pip_report(py, wheel)
        (venv / "setup-cell-report.json").write_text(json.dumps(report, indent=1))
        changed = changes_to_preinstalled(report, colab)
        if changed:
            print("colab twin: installing course_lib would change Colab's preinstalled packages:\n  "
                  + "\n  ".join(changed), file=sys.stderr)
            return 1
        added = ", ".join(f"{i['name']} {i['version']}" for i in report) or "nothing"
        print(f"colab twin: the setup cell adds {added}; no preinstalled package changes")
        # 5. install it
        run(py, "-m", "pip", "install", "--quiet", wheel)
    # 6. the reference packages, as lectures 07 and 08 install them in Colab
    if install_references(py, colab, venv / "reference-install-report.json"):
        return 1
    # 7. the test runners, under the freeze
    run(py, "-m", "pip", "install", "--quiet", "-c", constraints, *TEST_TOOLS)
    have = installed(py)
    wrong = [f"{name} {version} (Colab: {colab[name]})" for name, version in have.items()
             if name in colab and not name.startswith(CUDA_BUILD_PARTS)
             and version.split("+")[0] != colab[name]]
    if wrong:
        print("colab twin: versions differ from Colab's: " + ", ".join(wrong), file=sys.stderr)
        return 1
    from course_lib import references

    absent = (["course-lib"] if "course-lib" not in have else []) + [
        r.requirement for r in references.REFERENCES.values()
        if have.get(canonical(r.distribution)) != r.version]
    if absent:
        print("colab twin: not installed: " + ", ".join(absent), file=sys.stderr)
        return 1
    print(f"colab twin: ready in {venv}")
    return 0


def reference_needs() -> list[str]:
    """What the reference install finds in Colab: the with-dependencies references themselves
    (so that the resolver brings Colab's copies of their requirements) and what the --no-deps
    ones import."""
    from course_lib import references

    return [item for reference in references.REFERENCES.values()
            for item in (reference.uses if reference.no_deps else (reference.requirement,))]


def install_references(py: Path, colab: dict[str, str], report_path: Path) -> int:
    """Step 6: each of references.pip_commands as a dry run (no constraints, as in Colab) that
    must change no preinstalled package, then for real; then every reference module imports."""
    from course_lib import references

    reports = []
    for command in references.pip_commands(*references.REFERENCES):
        report = pip_report(py, *command[1:])
        reports.append({"command": ["pip", *command], "install": report})
        changed = changes_to_preinstalled(report, colab)
        if changed:
            print(f"colab twin: `pip {' '.join(command)}` would change Colab's preinstalled "
                  "packages:\n  " + "\n  ".join(changed), file=sys.stderr)
            return 1
        added = ", ".join(f"{i['name']} {i['version']}" for i in report) or "nothing"
        print(f"colab twin: `pip {' '.join(command)}` adds {added}; no preinstalled package changes")
        run(py, "-m", "pip", *command)
    report_path.write_text(json.dumps(reports, indent=1))
    modules = [reference.module for reference in references.REFERENCES.values()]
    imported = subprocess.run([py, "-c", "import importlib, sys\nfor m in sys.argv[1:]: "
                               "importlib.import_module(m)", *modules],
                              capture_output=True, text=True, env=twin_environment())
    if imported.returncode:
        print("colab twin: a reference package does not import with Colab's packages: "
              + imported.stderr.strip().splitlines()[-1], file=sys.stderr)
        return 1
    return 0


def installed(python: Path) -> dict[str, str]:
    out = subprocess.run([python, "-m", "pip", "list", "--format", "json"], check=True,
                         env=twin_environment(),
                         capture_output=True, text=True).stdout
    return {canonical(i["name"]): i["version"] for i in json.loads(out)}


def refresh() -> int:
    with urllib.request.urlopen(FREEZE_URL, timeout=30) as response:
        text = response.read().decode()
    from datetime import date

    FREEZE.write_text("# Colab's CPU runtime, as published in googlecolab/backend-info "
                      "(pip-freeze.txt).\n"
                      f"# Downloaded on {date.today().isoformat()}. Refresh: make colab-freeze\n"
                      + text)
    print(f"wrote {FREEZE.relative_to(ROOT)} ({len(read_freeze())} packages)")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="create or update the twin venv")
    b.add_argument("--python", default="", help="a Python 3.13 interpreter")
    b.add_argument("--venv", type=Path, default=ROOT / ".venv-colab")
    sub.add_parser("refresh", help="download Colab's newest published pip freeze")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))  # this checkout's course_lib: the reference install it runs
    if args.command == "build":
        return build(args.python, args.venv)
    return refresh()


if __name__ == "__main__":
    sys.exit(main())
