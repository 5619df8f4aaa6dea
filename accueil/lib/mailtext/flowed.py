"""Undoing ``format=flowed`` (RFC 3676), as Thunderbird and Apple Mail send plain text.

A flowed body ends each soft-broken line with a space; a reader joins it with the next line
of the same quote depth. Without this, a citizen's paragraph would keep the sender's 72-column
breaks. Space-stuffing (one space added before a line starting with a space, ``>`` or
``From``) is removed, ``DelSp=yes`` drops the soft-break space itself, and the signature
separator ``-- `` is never joined.
"""

from __future__ import annotations


def _split(line: str) -> tuple[int, str]:
    depth = len(line) - len(line.lstrip(">"))
    content = line[depth:]
    if content.startswith(" "):  # space-stuffing, or the space after the quote marks
        content = content[1:]
    return depth, content


def unflow(text: str, delsp: bool = False) -> str:
    """The text of a ``format=flowed`` body with soft line breaks joined."""
    out: list[str] = []
    paragraph: str | None = None
    paragraph_depth = 0
    for line in text.replace("\r\n", "\n").split("\n"):
        depth, content = _split(line)
        flowed = content.endswith(" ") and content != "-- "
        if paragraph is not None and depth != paragraph_depth:
            out.append(_quote(paragraph_depth, paragraph))
            paragraph = None
        if flowed and delsp:
            content = content[:-1]
        paragraph = content if paragraph is None else paragraph + content
        paragraph_depth = depth
        if not flowed:
            out.append(_quote(depth, paragraph))
            paragraph = None
    if paragraph is not None:
        out.append(_quote(paragraph_depth, paragraph))
    return "\n".join(out)


def _quote(depth: int, content: str) -> str:
    return (">" * depth + " " + content) if depth else content
