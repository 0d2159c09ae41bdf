"""Text from submissions made safe to show: in the CSV, the report and the instructor's terminal.

File names, learner names and reasons come from learners' files. :func:`printable` turns what
cannot be written or would act on a terminal into visible escapes: bytes of a file name that is
not UTF-8 (``\\x8f``), lone surrogates, control characters (ESC of a colour or cursor code, a
carriage return, a bell) and the bidirectional controls that reorder what a reader sees
(a right-to-left override). Everything else, Cyrillic or accented letters included, is kept.
:func:`strip_ansi` drops the colour codes of pytest's and the checks' messages.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["printable", "normal_name", "strip_ansi", "BIDI", "UNSAFE"]

#: Characters that change the order in which text is displayed (Trojan-source characters).
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Control, bidirectional and undecodable characters: never shown as they are.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                     "\ud800-\udfff]")
_ANSI = re.compile(r"(?:\x1b|#x1B)\[[0-9;]*[A-Za-z]")  # JUnit XML escapes ESC as "#x1B"


def _escape(match: re.Match) -> str:
    char = match.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a non-UTF-8 name, as os.fsdecode keeps it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(value) -> str:
    """`value` as text with every unsafe character written as a visible escape (one line)."""
    return UNSAFE.sub(_escape, str(value))


def normal_name(text: str) -> str:
    """`text` in Unicode NFKC (full-width letters, ligatures and the like folded)."""
    try:
        return unicodedata.normalize("NFKC", text)
    except (TypeError, ValueError):
        return text


def strip_ansi(text: str) -> str:
    """`text` without terminal colour codes."""
    return _ANSI.sub("", text)
