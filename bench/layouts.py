"""Reading order on vertical-text and newsletter pages: which way of reading a PDF gets the declaration right.

    .venv/bin/python bench/layouts.py
    PYTHONPATH=. /path/to/venv-with-pdfplumber/bin/python bench/layouts.py   # adds pdfplumber's rows

The pages are tests/layout_pages.py's, drawn with reportlab: a 縦書き declaration
(characters placed one by one, or set with the vertical CMap UniJIS-UCS2-V;
with and without a horizontal title band above the columns) and two- and
three-column newsletters. For each way of reading, against the text a person
reads (whitespace ignored):

  order  the longest common subsequence with the declaration, as a share of the declaration:
         1.0 when every character comes in the right order
  extra  characters that are not the declaration (a masthead, an advertisement), as a share of it
  exact  whether the text is the declaration, character for character

and the time extract_pdf takes on an ordinary page (one column, 40 full lines) with and
without extract_layout's checks, and whether its text is the same.
"""
from __future__ import annotations

import io
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.layout_pages import Page, draw_newsletter, draw_vertical  # noqa: E402

PAGES: dict[str, Callable[[Path], Page]] = {
    "vertical, chars placed, title band": lambda p: draw_vertical(p),
    "vertical, CMap -V, title band": lambda p: draw_vertical(p, cmap=True),
    "vertical, chars placed, no title": lambda p: draw_vertical(p, heading=False),
    "vertical, CMap -V, no title": lambda p: draw_vertical(p, cmap=True, heading=False),
    "newsletter, 2 columns": lambda p: draw_newsletter(p, 2),
    "newsletter, 3 columns": lambda p: draw_newsletter(p, 3),
}


def summitbot(raw: bytes) -> str:
    from index.extract_pdf import extract_pdf

    return extract_pdf(raw).text


def horizontal_pass(raw: bytes) -> str:
    """What index/extract_pdf.py did before extract_layout: pdfminer's horizontal lines, top to bottom."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams

    from index.extract_pdf import _page_text

    return "\n".join(_page_text(page).text for page in extract_pages(io.BytesIO(raw),
                                                                     laparams=LAParams(boxes_flow=None, all_texts=True)))


def pdfminer_vertical(boxes_flow: float | None) -> Callable[[bytes], str]:
    def read(raw: bytes) -> str:
        from pdfminer.high_level import extract_text
        from pdfminer.layout import LAParams

        return extract_text(io.BytesIO(raw), laparams=LAParams(detect_vertical=True, boxes_flow=boxes_flow,
                                                               all_texts=True))
    return read


def pdfplumber_dirs(line_dir: str, char_dir: str) -> Callable[[bytes], str]:
    def read(raw: bytes) -> str:
        import pdfplumber

        with pdfplumber.open(io.BytesIO(raw)) as pdf:
            return "\n".join(page.extract_text(line_dir=line_dir, char_dir=char_dir, line_dir_render="ttb",
                                                char_dir_render="ltr") or "" for page in pdf.pages)
    return read


METHODS: dict[str, Callable[[bytes], str]] = {
    "pdfminer horizontal (before)": horizontal_pass,
    "pdfminer detect_vertical, boxes_flow=None": pdfminer_vertical(None),
    "pdfminer detect_vertical, boxes_flow=0.5": pdfminer_vertical(0.5),
    "summitbot (extract_layout)": summitbot,
}


def lcs(a: str, b: str) -> int:
    previous = [0] * (len(b) + 1)
    for char in a:
        current = [0]
        for j, other in enumerate(b):
            current.append(previous[j] + 1 if char == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def main() -> None:
    methods = dict(METHODS)
    try:
        import pdfplumber  # noqa: F401 - not a dependency; measured where it is installed
        methods["pdfplumber line_dir=rtl char_dir=ttb"] = pdfplumber_dirs("rtl", "ttb")
        methods["pdfplumber default (ttb, ltr)"] = pdfplumber_dirs("ttb", "ltr")
    except ImportError:
        pass
    with tempfile.TemporaryDirectory() as folder:
        print("| page | way of reading | order | extra | exact |")
        print("|---|---|---|---|---|")
        for name, draw in PAGES.items():
            page = draw(Path(folder) / "page.pdf")
            expected = compact("".join(page.body))
            raw = page.path.read_bytes()
            for method, read in methods.items():
                got = compact(read(raw))
                common = lcs(expected, got)
                print(f"| {name} | {method} | {common / len(expected):.3f} | {(len(got) - common) / len(expected):.2f}"
                      f" | {'yes' if got == expected else 'no'} |")
        ordinary_page_speed(Path(folder))


def ordinary_page_speed(folder: Path) -> None:
    """extract_pdf on a full one-column page, with extract_layout's checks and with them switched off."""
    import statistics
    import time

    from reportlab.pdfgen import canvas

    from index import extract_pdf as module
    from tests.layout_pages import MINCHO, NEWS_PREAMBLE

    path = folder / "ordinary.pdf"
    pdf = canvas.Canvas(str(path))
    for page in range(3):
        for n in range(40):
            pdf.setFont(MINCHO, 11)
            pdf.drawString(60, 800 - 18 * n, (NEWS_PREAMBLE * 2)[n % 40:n % 40 + 38])
        pdf.showPage()
    pdf.save()
    raw = path.read_bytes()

    def median_ms(work: Callable[[], object], runs: int = 9) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            work()
            times.append(time.perf_counter() - start)
        return statistics.median(times) * 1000

    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams

    pages = list(extract_pages(io.BytesIO(raw), laparams=LAParams(boxes_flow=None, all_texts=True)))
    total = median_ms(lambda: module.extract_pdf(raw)) / len(pages)
    noise = module._margin_noise(pages[0])
    checks = median_ms(lambda: [(module.is_vertical(page), module.column_layout(page, module._line_text, noise))
                                for page in pages]) / len(pages)
    plain = "".join(module._page_text(page).text for page in pages)
    same = module.extract_pdf(raw).text.replace("\n", "") == plain.replace("\n", "")
    print(f"\nordinary page (40 full lines): extract_pdf {total:.1f} ms a page, of which the layout checks"
          f" {checks:.2f} ms; text as before: {same}")


if __name__ == "__main__":
    main()
