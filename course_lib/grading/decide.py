"""From what the harness brought back to a grade: only reports signed with the run's key count.

Two keys sign reports: the clean key, known to the grader and the harness only, signs the
questions judged in the clean process; the kernel key, sent in the check cells that still run in
the learner's kernel, signs the integrity check and the questions of
:data:`~course_lib.grading.remote.IN_KERNEL`. A question judged in the clean process counts only
with the clean key, so nothing the kernel writes can stand for it.
"""
from __future__ import annotations

from . import checkrun

__all__ = ["decide", "messages", "mistakes"]


def _first_line(source: str) -> str:
    line = next((s.strip() for s in source.splitlines() if s.strip()), "")
    return line if len(line) <= 60 else line[:57] + "..."


def _payloads(result: dict, key: str, kernel_key: str | None, clean) -> list[dict]:
    """Every verified payload; a question judged in the clean process only with the clean key,
    the integrity check and other questions only with the kernel key (`kernel_key` None: one
    key signs everything)."""
    found = []
    for check in result.get("checks", []):
        for line in str(check.get("report", "")).splitlines():
            by_clean = checkrun.verify(line, key)
            payload = by_clean if kernel_key is None else (
                by_clean or checkrun.verify(line, kernel_key))
            if not isinstance(payload, dict):
                continue
            if kernel_key is not None:
                question = payload.get("question")
                needs_clean = "integrity" not in payload and question in clean
                if needs_clean != (by_clean is not None):
                    continue
            found.append(payload)
    return found


def decide(result: dict, key: str, names: list[str], cells: list[str], settings,
           kernel_key: str | None = None, clean=frozenset()):
    """(scores, status, reason, notes) from the harness's result and the signed reports."""
    reports = {}
    integrity = None
    for payload in _payloads(result, key, kernel_key, clean):
        if "integrity" in payload:
            integrity = list(payload["integrity"]) if integrity is None else integrity + payload["integrity"]
        if payload.get("outcome"):
            reports[payload["question"]] = payload["outcome"]
    checks = result.get("checks", [])
    notes, scores = {}, {}
    for i, name in enumerate(names):
        outcome = reports.get(name)
        if outcome is None:  # a lost report fails its question; it accuses no one
            ran = checks[i]["status"] if i < len(checks) else "not run"
            outcome = {"ok": "error (no report)", "error": "error (no report)"}.get(ran, ran)
        scores[name] = int(outcome == "passed")
        if outcome != "passed":
            notes[name] = outcome
    status, index = result.get("status", "ok"), result.get("index")
    if status == "error":
        return dict.fromkeys(names, 0), "error", result.get("reason", ""), notes
    where = (f"code cell {index} (`{_first_line(cells[index])}`)"
             if index is not None and index < len(cells) else "a code cell")
    if status == "timeout":
        reason = f"{where} ran longer than {settings.cell_timeout:g} s and was stopped"
        if settings.partial_credit and integrity:  # a looping last cell skips no integrity check
            return dict.fromkeys(names, 0), "tampered", "; ".join(integrity[:4]), notes
        verified = settings.partial_credit and integrity == []
        return (scores if verified else dict.fromkeys(names, 0)), status, reason, notes
    if status == "kernel died":
        return dict.fromkeys(names, 0), status, f"the kernel died in {where}", notes
    if integrity:  # `tampered` only for a verified mismatch
        return dict.fromkeys(names, 0), "tampered", "; ".join(integrity[:4]), notes
    if integrity is None:  # nothing verified the course code: no marks, and no accusation
        return (dict.fromkeys(names, 0), "error", "error (no report): the integrity check's report "
                "did not arrive, so the course code could not be verified", notes)
    reason = "; ".join(f"{name} {note}" for name, note in notes.items())
    return scores, "ok", reason, notes


def messages(result: dict, key: str, names: list[str], kernel_key: str | None = None,
             clean=frozenset()) -> dict[str, str]:
    """{question: the feedback message its check showed}, from the signed reports."""
    found = {}
    for payload in _payloads(result, key, kernel_key, clean):
        if payload.get("message") and payload.get("question") in names:
            found[payload["question"]] = str(payload["message"])
    return found


def mistakes(result: dict, key: str, names: list[str], kernel_key: str | None = None,
             clean=frozenset()) -> dict[str, str]:
    """{question: the id of the mistake its check recognised} for the questions that failed with
    one, from the signed reports (an id that is not a plain slug reads as ``unnamed``)."""
    from course_lib.exercises import mistake_id

    found = {}
    for payload in _payloads(result, key, kernel_key, clean):
        if payload.get("mistake") and payload.get("question") in names:
            found[payload["question"]] = mistake_id(payload["mistake"])
    return found
