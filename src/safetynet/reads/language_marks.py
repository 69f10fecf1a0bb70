"""Blaming language marked where it was written: the phrases the policy's language check flags
(`Policy.language_spans`, the matcher behind the LANG rule and the rationale check) in an
event's free text, as pieces a template shows in order, with the flagged pieces in `<mark>`
and each phrase's reason and suggested wording listed under the text.

Nothing here builds HTML: the pieces are plain strings the template escapes, so recorded text
can never become markup however it is marked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from safetynet.risk.policy import LanguageMatch, Policy, normalise
from safetynet.risk.rules.language import labelled_texts


@dataclass(frozen=True)
class Piece:
    text: str
    note: int | None = None  # the number of the note explaining a marked phrase; None: unmarked


@dataclass(frozen=True)
class LanguageNote:
    number: int
    written: str  # the words as written in the record
    phrase: str  # the policy's phrase they matched
    reason: str
    suggestion: str

    @property
    def names_the_phrase(self) -> bool:
        """Whether the words as written already read as the policy's phrase (no need to name it)."""
        return normalise(self.written) == normalise(self.phrase)


@dataclass
class MarkedText:
    """One free text of a record (its summary, a risk rationale ...) with its flagged phrases."""

    title: str
    pieces: list[Piece]
    notes: list[LanguageNote] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(piece.text for piece in self.pieces)

    @property
    def marked(self) -> bool:
        return bool(self.notes)


def mark_text(title: str, text: str, policy: Policy, *, first_note: int = 1) -> MarkedText:
    """`text` cut into pieces at each phrase the policy flags, notes numbered from `first_note`
    (one note per phrase occurrence, so the number beside a mark finds its reason)."""
    pieces: list[Piece] = []
    notes: list[LanguageNote] = []
    at = 0
    for start, end, match in policy.language_spans(text, about_child=True):
        if start > at:
            pieces.append(Piece(text[at:start]))
        number = first_note + len(notes)
        pieces.append(Piece(text[start:end], number))
        notes.append(_note(number, text[start:end], match))
        at = end
    if at < len(text):
        pieces.append(Piece(text[at:]))
    return MarkedText(title, pieces, notes)


def _note(number: int, written: str, match: LanguageMatch) -> LanguageNote:
    return LanguageNote(number, written, match.phrase, match.reason, match.suggestion)


def marked_texts(summary: str, details: dict[str, Any], policy: Policy) -> list[MarkedText]:
    """Every free text of an event (those the language check reads), each marked; the notes
    are numbered across the event, so a page can list them once."""
    out: list[MarkedText] = []
    number = 1
    for title, text in labelled_texts(summary, details):
        marked = mark_text(title, text, policy, first_note=number)
        number += len(marked.notes)
        out.append(marked)
    return out


def notes_of(texts: list[MarkedText]) -> list[LanguageNote]:
    """The notes of several marked texts, in order."""
    return [note for marked in texts for note in marked.notes]
