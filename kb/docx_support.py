"""Word documents with Chinese text that opens right in Word, WPS and LibreOffice.

python-docx's default template names only Latin fonts; a viewer then picks
any East Asian font it likes (or none, and shows boxes). Every style we use
gets an explicit East Asian font (``w:eastAsia``, with ``w:hint`` saying the
runs are East Asian text): Noto Sans CJK SC, which the server's PDFs use too,
or 宋体 (SimSun, on every Chinese Windows) when ``east_asian_font`` names it.
A viewer without the named font substitutes another *East Asian* font for it,
never a Latin one.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # python-docx is imported when a document is made
    from docx.document import Document
    from docx.shared import ElementProxy
    from docx.text.run import Run

#: The East Asian font written into the styles; SimSun is what viewers fall back to.
EAST_ASIAN_FONT = "Noto Sans CJK SC"
LATIN_FONT = "Calibri"
STYLES = ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "List Bullet", "Table Grid")


def set_east_asian_font(style_or_run: ElementProxy | Run, name: str = EAST_ASIAN_FONT) -> None:
    """Write ``w:rFonts w:eastAsia`` (and the hint) on a style's or a run's properties."""
    from docx.oxml.ns import qn

    element = style_or_run.element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:hint"), "eastAsia")


def new_document(title: str = "", east_asian_font: str = EAST_ASIAN_FONT) -> Document:
    """An A4 document whose styles carry the Chinese font; ``title`` goes into its properties."""
    import docx
    from docx.shared import Mm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for name in STYLES:
        try:
            style = document.styles[name]
        except KeyError:
            continue
        if style.font is not None:
            style.font.name = LATIN_FONT
        set_east_asian_font(style, east_asian_font)
    document.styles["Normal"].font.size = Pt(10.5)  # 五号
    document.core_properties.title = title
    document.core_properties.language = "zh-CN"
    return document


def to_bytes(document: Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
