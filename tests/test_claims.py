"""Claims the lectures make in words, checked: the course map in 00, and what it cites."""
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def markdown(name: str) -> str:
    cells = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


@pytest.fixture(scope="module")
def taxonomy():
    text = markdown("00_start_here.ipynb")
    section = text.split("### 0.3 The map")[1].split("### 0.4")[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    header, *body = [[cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]] for row in rows]
    return header, body


def test_the_taxonomy_places_every_lecture(taxonomy):
    header, body = taxonomy
    assert header[:4] == ["method", "notebook", "local / global", "intrinsic / post-hoc"]
    lectures = {n.strip() for row in body for n in row[1].split(",")}
    expected = {p.name[:2] for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")} - {"00"}
    assert expected <= lectures, expected - lectures
    for row in body:
        assert re.search(r"local|global", row[2]), row
        assert re.search(r"intrinsic|post-hoc|data", row[3]), row


def test_the_taxonomy_names_the_methods_each_lecture_teaches(taxonomy):
    _, body = taxonomy
    methods = " ".join(row[0] for row in body).lower()
    for name in ["shapley", "lime", "kernelshap", "treeshap", "grad-cam", "guided backprop",
                 "integrated gradients", "smoothgrad", "permutation importance", "partial dependence",
                 "counterfactual", "surrogate", "explainable boosting", "depth-3 tree",
                 "accumulated local effects", "h-statistic", "shap interaction values", "drop-column",
                 "conditional permutation", "mmd-critic", "influence functions", "tracin", "anchors",
                 "diverse counterfactuals", "sanity checks", "deletion/insertion", "road",
                 "attention rollout"]:
        assert name in methods, name


def test_the_opening_cites_the_studies_in_full():
    text = markdown("00_start_here.ipynb")
    for reference in ["10.1145/3313831.3376219", "10.1145/3411764.3445315", "arXiv:2112.03184",
                      "arXiv:2002.00772", "arXiv:1910.10045", "arXiv:1702.08608",
                      "arXiv:1911.02508", "arXiv:1901.09749"]:
        assert reference in text, reference
    for words in ["at most five features", "at most three levels", "Molnar", "Machine Learning Explainability",
                  "Dyakonov", "when no explanation is needed"]:
        assert words.lower() in text.lower(), words


def test_the_glossary_is_bilingual():
    text = markdown("00_start_here.ipynb")
    glossary = text.split("Glossary · Глоссарий")[1]
    rows = [line for line in glossary.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) >= 20
    for row in rows:
        english, russian = [cell.strip() for cell in row.split("|")[1:3]]
        assert re.search(r"[a-z]", english) and re.search(r"[а-яё]", russian.lower()), row


def first_cell(path: Path) -> str:
    return "".join(json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"])


def test_lecture_times_have_one_source():
    """course.TOPICS gives each lecture's minutes; the notebook's first cell and the README agree."""
    from course_lib import course

    readme = (NOTEBOOKS.parent / "README.md").read_text(encoding="utf-8")
    for topic in course.TOPICS:
        said = re.search(r"\*\*Time[^*]*\*\*:?\s*(?:about\s+)?(\d+) minutes", first_cell(NOTEBOOKS.parent / topic.notebook))
        assert said and int(said.group(1)) == topic.minutes, (topic.number, said and said.group(0))
        row = re.search(rf"^\| {topic.number} \|.*?\| (\d+) min \|", readme, re.M)
        assert row and int(row.group(1)) == topic.minutes, topic.number


def test_the_readme_names_the_two_tracks_as_the_course_map_does():
    from course_lib import course

    readme = (NOTEBOOKS.parent / "README.md").read_text(encoding="utf-8")
    paragraph = readme.split("**Two tracks.**")[1].split("\n\n")[0]
    core, advanced = paragraph.split("**advanced track**")
    for text, track in ((core, "core"), (advanced, "advanced")):
        numbers = [t.number for t in course.TOPICS if t.track == track]
        listed = re.search(r"lectures ([\d, and]+?)\s+\(", text).group(1)
        assert re.findall(r"\d\d", listed) == numbers, (track, listed)
        minutes = course.track_minutes()[track]
        assert f"about {minutes // 60} h {minutes % 60:02d} min" in text, track
    assert course.CORE_TRACK == ("00", "01", "03", "04", "05", "06")   # design.md's one-day workshop


def test_lecture_08_cites_its_papers_and_drops_the_wrong_claims():
    """08 names the papers its methods and caveats come from, and none of the readings that an
    expert review found wrong (DiCE as a pick of -proximity + det(K), the beam keeping the rule of
    largest coverage, TracIn's miss read as a fact about the model)."""
    text = markdown("08_examples.ipynb")
    for words in ["Kim, Khanna and Koyejo", "Koh and Liang", "I_up,loss", "Basu, Pope and Feizi",
                  "Pruthi et al. 2020", "Hanawa et al. 2021", "Barshan, Brunet and Dziugaite",
                  "Ribeiro, Singh and Guestrin", "Mothilal, Sharma and Tan",
                  "Ustun, Spangher and Liu", "Karimi, Schölkopf and Valera", "most precise"]:
        assert words in text, words
    for stale in ["keeping the rule of largest coverage", "maximising -proximity + det(K)",
                  "leans on cat pictures in general", "two seeds agree perfectly"]:
        assert stale not in text, stale
    assert text.count("**What this shows.**") >= 15
