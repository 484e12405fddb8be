"""PDF documents (meeting minutes, walk lists) with fonts vendored in ``core/fonts``.

DejaVu Sans covers Latin (Spanish accents, ñ, ¿¡) and more; NanumGothic is the fallback for Hangul,
so a paragraph mixing Spanish and Korean renders both. Nothing is fetched from the network, and the
fonts are embedded (subset) in the document so it prints the same anywhere.

    render_pdf("Acta", [("Asistencia", ["23 personas"]), ("Acuerdos", ["- Marcha el sábado"])])
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

# fontTools reports each OpenType table it leaves out of a font subset; not news for anyone.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"
HANGUL = "Nanum"

# Sizes in points; the page is A4-like letter-agnostic: Letter, as US printers expect.
TITLE_SIZE = 18
HEADING_SIZE = 13
BODY_SIZE = 11
SMALL_SIZE = 9


@dataclass(frozen=True)
class Table:
    """Rows of cells under a section heading (a walk list, a vote count). The first row is the
    header; ``widths`` are relative (they are scaled to the page)."""

    rows: Sequence[Sequence[str]]
    widths: Sequence[float] = field(default_factory=tuple)


Paragraph = str | Table


class _Document(FPDF):
    footer_text: str = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=SMALL_SIZE)
        self.set_text_color(90, 90, 90)
        text = (
            f"{self.footer_text}  ·  {self.page_no()}/{{nb}}"
            if self.footer_text
            else (f"{self.page_no()}/{{nb}}")
        )
        self.cell(0, 6, text, align="C")


def _document(title: str, language: str) -> _Document:
    pdf = _Document(format="Letter")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_font(HANGUL, "", str(FONTS / "NanumGothic.ttf"))
    # Not exact: bold Korean falls back to the regular Hangul face rather than to nothing.
    pdf.set_fallback_fonts([HANGUL], exact_match=False)
    pdf.set_title(title)
    pdf.set_lang(language)
    pdf.set_creator("Vecinos")
    return pdf


def _paragraph(pdf: FPDF, text: str) -> None:
    pdf.set_font(FAMILY, size=BODY_SIZE)
    if text.startswith("- "):
        pdf.set_x(pdf.l_margin + 4)
        pdf.multi_cell(0, 6, "•  " + text[2:], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    else:
        pdf.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.5)


def _table(pdf: FPDF, table: Table) -> None:
    if not table.rows:
        return
    columns = max(len(row) for row in table.rows)
    widths = list(table.widths) or [1.0] * columns
    widths += [1.0] * (columns - len(widths))
    total = sum(widths[:columns]) or 1.0
    pdf.set_font(FAMILY, size=BODY_SIZE - 1)
    with pdf.table(
        col_widths=tuple(w / total for w in widths[:columns]),
        line_height=6,
        first_row_as_headings=True,
        text_align="LEFT",
    ) as rendered:
        for row in table.rows:
            cells = rendered.row()
            for index in range(columns):
                cells.cell(row[index] if index < len(row) else "")
    pdf.ln(2)


def render_pdf(
    title: str,
    sections: Sequence[tuple[str, Sequence[Paragraph]]],
    *,
    intro: Sequence[str] = (),
    footer: str = "",
    language: str = "en",
    created_at: datetime | None = None,
) -> bytes:
    """A document: the title, lines under it (date, place), then each section's heading and its
    paragraphs. A paragraph starting with "- " is a bullet; a :class:`Table` is drawn as a table.
    ``footer`` goes at the foot of every page with the page number; ``language`` is the document's
    (screen readers read it so)."""
    pdf = _document(title, language)
    if created_at is not None:
        pdf.set_creation_date(created_at)
    pdf.footer_text = footer
    pdf.add_page()
    pdf.set_font(FAMILY, "B", TITLE_SIZE)
    pdf.multi_cell(0, 9, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if intro:
        pdf.set_font(FAMILY, size=BODY_SIZE)
        pdf.set_text_color(70, 70, 70)
        for line in intro:
            pdf.multi_cell(0, 6, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    for heading, paragraphs in sections:
        pdf.set_font(FAMILY, "B", HEADING_SIZE)
        pdf.multi_cell(0, 7, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)
        for paragraph in paragraphs:
            if isinstance(paragraph, Table):
                _table(pdf, paragraph)
            else:
                _paragraph(pdf, paragraph)
        pdf.ln(2)
    return bytes(pdf.output())
