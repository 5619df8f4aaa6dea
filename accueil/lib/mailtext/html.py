"""An HTML body reduced to plain text with inscriptis.

Why inscriptis: it renders text the way a browser lays it out (blocks, line breaks, lists,
tables kept in columns) and outputs plain text, where html2text outputs Markdown that would have
to be un-escaped again. Scripts, styles, comments, ``<head>`` and hidden elements never reach
the output; images are dropped (their ``alt`` text is not invented into the citizen's words).

Links keep their visible text; an ``http``, ``https`` or ``mailto`` link whose text is not its
address gets the address after it in brackets (``the form [https://…]``). Any other scheme
(``javascript:``, ``data:``, ``vbscript:``) is dropped. The result is text to show escaped;
nothing in it is markup any more.

Inscriptis's layout costs seconds on a megabyte-sized table, so an HTML body over
``MAX_LAYOUT`` characters is reduced the fast way instead: the same elements dropped, a line
break after each block, no columns. Past ``MAX_HTML`` characters the HTML is not read at all
(an HTML body that size is an attack, not a letter; the attachments are separate parts).
"""

from __future__ import annotations

import lxml.etree
import lxml.html
from inscriptis import Inscriptis
from inscriptis.model.config import ParserConfig

MAX_LAYOUT = 200_000  # characters of HTML laid out by inscriptis; longer goes the fast way
MAX_HTML = 5_000_000  # characters of HTML read at all (no real message body comes near)
_BLOCKS = ("br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "hr")
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_DROPPED = ("script", "style", "head", "title", "template", "noscript", "object", "embed")


def _tree(html: str) -> lxml.html.HtmlElement | None:
    # lxml refuses a str carrying an encoding declaration; NUL bytes stop libxml2.
    html = html[:MAX_HTML].replace("\x00", "")
    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html.encode("utf-8"), parser=_PARSER)
    except (lxml.etree.ParserError, ValueError, lxml.etree.XMLSyntaxError):
        return None


_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)


def _annotate_links(root: lxml.html.HtmlElement) -> None:
    for link in root.iter("a"):
        href = (link.get("href") or "").strip()
        text = link.text_content().strip()
        if not href.lower().startswith(_SAFE_SCHEMES):
            continue
        shown = href[len("mailto:") :] if href.lower().startswith("mailto:") else href
        if not text or shown.rstrip("/") == text.rstrip("/"):
            if not text:
                link.text = shown
            continue
        link.tail = f" [{shown}]" + (link.tail or "")


def to_text(html: str) -> str:
    """The visible text of an HTML body; "" when there is none."""
    root = _tree(html)
    if root is None:
        return ""
    for name in _DROPPED:
        for element in list(root.iter(name)):
            element.drop_tree()
    _annotate_links(root)
    if len(html) > MAX_LAYOUT:
        return _fast_text(root)
    try:
        text = Inscriptis(root, ParserConfig(display_links=False, display_images=False)).get_text()
    except (ValueError, TypeError, AttributeError, IndexError, RecursionError):
        return _fast_text(root)
    return str(text)


def _fast_text(root: lxml.html.HtmlElement) -> str:
    """Text with a line break after each block: linear time, for very large HTML bodies
    (inscriptis lays out a 1.5 MB table in seconds)."""
    for element in root.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
    for element in root.iter("td", "th"):
        element.tail = " " + (element.tail or "")
    lines = (" ".join(line.split()) for line in str(root.text_content()).split("\n"))
    return "\n".join(lines)
