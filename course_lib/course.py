"""The course map: every notebook in order, with its exercises, an environment check, and
:func:`show_source`, how every lecture prints the library's code.

The map links to the repository and to Colab (:data:`course_lib.env.REPO_SLUG` at
:data:`course_lib.env.REF`), so it works the same from a checkout, an installed package or a
lone notebook in Colab: it never looks for files on disk.
"""
from __future__ import annotations

import importlib
import importlib.util
import inspect
import textwrap
from dataclasses import dataclass

from . import env
from .env import colab_url, repository_url


#: The one-day workshop: the course's core track. The rest is the advanced track.
CORE_TRACK = ("00", "01", "03", "04", "05", "06")


@dataclass(frozen=True)
class Topic:
    """One lecture of the course, with its exercises: what the map, the site and the grader know.

    `module` is the exercises' checks, ``course_lib.exercises.<module>`` ("ex00_warmup"); the
    grader names a topic by its :attr:`label` ("00_warmup") and accepts the number, the label,
    the module or the :attr:`slug` ("warmup") for ``--topic``.
    """

    number: str
    stem: str
    title: str
    minutes: int            # the one source of a lecture's time: the notebook, README and site agree
    exercises: str | None  # the stem of the exercise notebook, if any
    module: str | None = None  # the module of the exercises' checks, if any

    @property
    def track(self) -> str:
        """``"core"`` (the one-day workshop) or ``"advanced"``."""
        return "core" if self.number in CORE_TRACK else "advanced"

    @property
    def notebook(self) -> str:
        return f"notebooks/{self.stem}.ipynb"

    @property
    def slug(self) -> str:
        """The checks' module without ``exNN_``: ``"warmup"`` for ``ex00_warmup``."""
        return (self.module or "").partition("_")[2]

    @property
    def label(self) -> str:
        return f"{self.number}_{self.slug}"

    def questions(self) -> list:
        """The exercises' QUESTIONS (imports their module)."""
        return list(importlib.import_module(f"course_lib.exercises.{self.module}").QUESTIONS)


TOPICS = [
    Topic("00", "00_start_here", "Start here: set-up, modes and the course map", 35, "00_warmup",
          "ex00_warmup"),
    Topic("01", "01_shapley_card_game", "Shapley values as sharing a card game's winnings", 60,
          "01_shapley_card_game", "ex01_shapley"),
    Topic("02", "02_separability_kernel_trick",
          "Linear separability, the kernel trick, random kitchen sinks", 60,
          "02_separability_kernel_trick", "ex02_kernels"),
    Topic("03", "03_lime", "LIME from scratch: tables, text and images", 75, "03_lime", "ex03_lime"),
    Topic("04", "04_shap", "SHAP: KernelSHAP, TreeSHAP, the plots, explaining the loss", 90,
          "04_shap", "ex04_shap"),
    Topic("05", "05_gradcam_cats", "Saliency, guided backprop and Grad-CAM on cats, with fastai",
          75, "05_gradcam_cats", "ex05_cam"),
    Topic("06", "06_cardio_case", "The cardio case study: a whole interpretation workflow", 90,
          "06_cardio_case", "ex06_cardio"),
    Topic("07", "07_global_effects",
          "Global effects and interactions: ALE, 2-D PDP, the H-statistic, SHAP interactions", 75,
          "07_global_effects", "ex07_global_effects"),
    Topic("08", "08_examples",
          "Explaining with examples: prototypes, influential points, Anchors, counterfactuals", 80,
          "08_examples", "ex08_examples"),
    Topic("09", "09_evaluating_explanations",
          "Evaluating explanations, and attention versus attribution", 90,
          "09_evaluating_explanations", "ex09_evaluating"),
    Topic("10", "10_inside_a_network",
          "Inside a network: units, concepts and the attribution baselines", 60,
          "10_inside_a_network", "ex10_inside"),
    Topic("11", "11_embeddings_and_transformers",
          "Embeddings and a pretrained transformer: maps, attention heads, token attributions",
          60, "11_embeddings_and_transformers", "ex11_embeddings"),
]


def course_paths() -> list[str]:
    """Every notebook of the course as a path inside the repository, in course order."""
    paths = []
    for topic in TOPICS:
        paths.append(topic.notebook)
        if topic.exercises:
            paths += [f"exercises/{topic.exercises}.ipynb", f"solutions/{topic.exercises}.ipynb"]
    return paths


def track_minutes() -> dict[str, int]:
    """Lecture minutes of each track: ``{"core": ..., "advanced": ...}``."""
    total = {"core": 0, "advanced": 0}
    for topic in TOPICS:
        total[topic.track] += topic.minutes
    return total


def course_map_markdown() -> str:
    """A Markdown table of the course: lecture, time, track, exercises and solutions (Colab links)."""
    def link(text: str, path: str) -> str:
        return f"[{text}]({repository_url(path)}) ([Colab]({colab_url(path)}))"

    rows = ["| # | lecture | time | track | exercises | solutions |", "|---|---|---|---|---|---|"]
    for topic in TOPICS:
        exercise = solution = "-"
        if topic.exercises:
            exercise = link(topic.exercises, f"exercises/{topic.exercises}.ipynb")
            solution = link(topic.exercises, f"solutions/{topic.exercises}.ipynb")
        rows.append(f"| {topic.number} | {link(topic.title, topic.notebook)} | "
                    f"{topic.minutes} min | {topic.track} | {exercise} | {solution} |")
    return "\n".join(rows)


def show_course_map() -> None:
    """Display the course map (Markdown in Jupyter, plain text elsewhere)."""
    text = course_map_markdown()
    try:
        from IPython.display import Markdown, display

        display(Markdown(text))
    except ImportError:  # pragma: no cover
        print(text)


def _importable(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def environment_check() -> list[tuple[str, str]]:
    """What works here: mode, device, reference packages and the offline assets. No network."""
    env.refresh()
    rows = [
        ("mode", ("offline" if env.OFFLINE else "online") + (", quick" if env.QUICK else ", full")),
        ("where", "Colab" if env.IN_COLAB else "local"),
        ("device", env.DEVICE + ("" if env.DEVICE == "cuda" else " (no GPU: everything still runs, "
                                 "fastai training is slower)")),
    ]
    for package, module in [("shap", "shap"), ("lime", "lime"), ("grad-cam", "pytorch_grad_cam"),
                            ("captum", "captum"), ("fastai", "fastai"), ("timm", "timm")]:
        rows.append((package, "installed" if _importable(module) else "missing: pip install " + package))
    from . import assets

    rows.extend(assets.status())
    return rows


def show_environment() -> None:
    """Print :func:`environment_check` as an aligned two-column table."""
    rows = environment_check()
    width = max(len(name) for name, _ in rows)
    for name, status in rows:
        print(f"{name:<{width}}  {status}")


def show_source(function) -> None:
    """Print the whole source of a course_lib function, class or method, as ``??`` shows it in
    Jupyter: what the lecture runs is what you read (d2l's habit, style.md). A method prints
    without its class's indentation. A public function that checks its arguments and hands them
    to its unchecked core (``name`` -> ``_name``, the library's rule) prints with that core, so
    the method itself is always on the page."""
    print(textwrap.dedent(inspect.getsource(function)))
    core = _core_of(function)
    if core is not None:
        print(textwrap.dedent(inspect.getsource(core)))


def _core_of(function):
    """The private core ``_name`` that the public function ``name`` calls, if it has one."""
    name = getattr(function, "__name__", "")
    module = inspect.getmodule(function)
    core = getattr(module, f"_{name}", None) if name and not name.startswith("_") else None
    if not inspect.isfunction(core):
        return None
    try:
        calls = f"_{name}(" in inspect.getsource(function)
    except (OSError, TypeError):
        return None
    return core if calls else None
