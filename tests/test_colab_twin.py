"""The Colab twin's own logic: reading Colab's freeze and spotting a changed preinstalled package."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import colab_twin  # noqa: E402


def test_read_freeze_takes_versions_from_pins_and_wheel_addresses(tmp_path):
    freeze = tmp_path / "freeze.txt"
    freeze.write_text(
        "# comment\n"
        "numpy==2.1.3\n"
        "torch @ https://download.pytorch.org/whl/cpu/torch-2.11.0%2Bcpu-cp313-cp313-manylinux_2_28_x86_64.whl\n"
        "google-colab @ file:///colabtools/dist/google_colab-1.0.0.tar.gz\n"
        "jupyter_kernel_gateway @ git+https://github.com/googlecolab/kernel_gateway@b134e99\n"
        "Scikit_Learn==1.6.1\n")
    assert colab_twin.read_freeze(freeze) == {"numpy": "2.1.3", "torch": "2.11.0",
                                              "scikit-learn": "1.6.1"}


def test_changes_to_preinstalled_names_upgrades_and_downgrades_only():
    colab = {"numpy": "2.1.3", "ipywidgets": "7.7.1", "nvidia-nccl-cu13": "2.31.2"}
    report = [{"name": "ipywidgets", "version": "8.1.9"},       # an upgrade: refused
              {"name": "numpy", "version": "2.1.3"},            # the same version: fine
              {"name": "lime", "version": "0.2.0.1"},           # not in Colab: an addition, fine
              {"name": "nvidia-nccl-cu13", "version": "2.28.9"}]  # the CUDA build's own libraries
    assert colab_twin.changes_to_preinstalled(report, colab) == ["ipywidgets 7.7.1 -> 8.1.9"]


def test_constraints_leave_out_the_cuda_build_libraries(tmp_path):
    path = colab_twin.write_constraints({"numpy": "2.1.3", "nvidia-cudnn-cu13": "9.1", "triton": "3.0"},
                                        tmp_path / "c.txt")
    assert path.read_text() == "numpy==2.1.3\n"


def test_missing_python_is_one_clear_line(capsys):
    assert colab_twin.build("/nonexistent/python3.13", ROOT / ".venv-never") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Python 3.13 not found" in err


def test_the_twin_prepares_what_the_reference_install_expects_from_colab():
    needs = colab_twin.reference_needs()
    assert needs == ["PyALE==1.2.0", "seaborn", "networkx", "tqdm", "mmd-critic==0.1.2",
                     "anchor-exp==0.0.2.0", "dice-ml==0.12", "decorator"]


def test_the_twin_runs_the_notebooks_reference_install_and_refuses_a_change(monkeypatch, tmp_path,
                                                                               capsys):
    """Each of references.pip_commands as a dry run, then for real; a change stops the build."""
    from course_lib import references

    dry, ran = [], []
    reports = {"dice-ml==0.12": [{"name": "dice-ml", "version": "0.12"},
                                 {"name": "raiutils", "version": "0.4.2"}],
               "pyartemis==0.1.5": [{"name": "pyartemis", "version": "0.1.5"},
                                    {"name": "seaborn", "version": "0.12.2"}]}  # a downgrade
    monkeypatch.setattr(colab_twin, "pip_report",
                        lambda py, *args: dry.append(list(args)) or next(
                            (report for pin, report in reports.items() if pin in args), []))
    monkeypatch.setattr(colab_twin, "run", lambda *command, **kw: ran.append(list(command[3:])))
    report = tmp_path / "report.json"
    assert colab_twin.install_references("py", {"seaborn": "0.13.2"}, report) == 1
    commands = references.pip_commands(*references.REFERENCES)
    assert dry == [command[1:] for command in commands]
    assert ran == commands[:1]                 # the with-deps command passed its dry run and ran
    err = capsys.readouterr().err
    assert ("--no-deps pyartemis==0.1.5 torch-lucent==0.1.8` would change Colab's preinstalled "
            "packages:\n  seaborn 0.13.2 -> 0.12.2") in err
    assert not report.exists()


def test_the_twin_never_sees_a_checkout_on_pythonpath(monkeypatch):
    """With PYTHONPATH=checkout, pip takes course_lib.egg-info there for an installed course-lib."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("COURSE_QUICK", "1")
    environment = colab_twin.twin_environment()
    assert "PYTHONPATH" not in environment and environment["COURSE_QUICK"] == "1"
