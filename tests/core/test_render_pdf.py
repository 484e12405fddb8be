"""PDF documents with the vendored fonts: Spanish and Korean in one document."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from vecinos.core.pdf import FONTS, Table, render_pdf


def embedded_fonts(document: bytes) -> set[str]:
    return {
        name.decode().split("+", 1)[-1] for name in re.findall(rb"/BaseFont\s*/(\S+)", document)
    }


def test_a_spanish_document_embeds_only_the_glyphs_it_uses() -> None:
    document = render_pdf(
        "Acta de la asamblea de vecinos",
        [("Asistencia", ["Vinieron 23 personas. ¿Quién interpreta? Año, señal, acción."])],
        intro=["Escuela Hoover, martes 18:00"],
        language="es",
    )

    assert document.startswith(b"%PDF-")
    assert document.rstrip().endswith(b"%%EOF")
    assert {"DejaVuSansBook", "DejaVuSansBold"} <= embedded_fonts(document)
    # Subsets: the Hangul font alone is 4.7 MB whole.
    assert len(document) < 100_000


def test_korean_text_falls_back_to_nanum_gothic_in_the_same_paragraph() -> None:
    document = render_pdf(
        "Acta — 회의록",
        [("Acuerdos 결정", ["- Marcha el sábado / 토요일 행진", "Sin acuerdo"])],
        language="ko",
    )

    assert "NanumGothic" in embedded_fonts(document)
    assert "DejaVuSansBook" in embedded_fonts(document)
    assert b"/Lang (ko)" in document


def test_tables_long_words_and_many_pages_render() -> None:
    rows = [["Opción", "Votos"]] + [[f"Propuesta {n} 제안", str(n)] for n in range(120)]
    document = render_pdf(
        "Conteo",
        [
            ("Resultados", [Table(rows, widths=(3, 1))]),
            ("Enlace", ["https://example.org/" + "x" * 400]),
        ],
        footer="Vecinos",
    )

    assert len(re.findall(rb"/Type\s*/Page\b", document)) > 2


def test_the_same_input_on_the_same_date_gives_the_same_bytes() -> None:
    when = datetime(2026, 11, 1, 18, tzinfo=UTC)
    sections = [("Notas", ["Una línea", "Otra línea"])]

    first = render_pdf("Acta", sections, created_at=when)
    second = render_pdf("Acta", sections, created_at=when)

    assert first == second


def test_the_fonts_and_their_licenses_are_vendored() -> None:
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "NanumGothic.ttf"):
        assert (FONTS / name).stat().st_size > 100_000
    assert "OFL" in (FONTS / "LICENSE-Nanum.txt").read_text()
    assert "Bitstream" in (FONTS / "LICENSE-DejaVu.txt").read_text()
