"""Scans as declaration text: Tesseract's Japanese models over page images.

A PDF without a text layer (index.extract_pdf falls back to `ocr_pdf`) has its
pages rendered with pypdfium2; a PNG, JPEG or (multi-page) TIFF is OCR'd as
it is (`extract_image`). Each page goes through `jpn`, or `jpn_vert` when its
ink runs in columns; the text keeps Tesseract's characters — the confusions
OCR is known for (ー/一, ロ/口, カ/力, エ/工, タ/夕, ニ/二, ハ/八) are listed
as warnings for a person to check, never changed — and every page carries its
mean confidence and every line its own (`PageConfidence`), so the preview can
point at the lines to check.

Why these numbers (docs/BENCHMARKS.md, "OCR: render resolution"):

* 200 dpi: 11-pt text is then about 30 px high, Tesseract's best size. On
  clean and noisy test scans it read as well as or better than 300 and 400 dpi
  (which blow up a 200-dpi scan's noise into specks) in two thirds of the time.
* `--psm 4` (one column of text of varying sizes): a declaration is one
  column; the automatic layout (psm 3) sometimes cut a page into side-by-side
  blocks and scrambled the reading order.
* 30 pages: about 1.1-1.2 s a page, so the longest scan accepted (32 s for
  30 pages) reads well within the reading child's limits (index/worker.py).
* one thread per Tesseract: two took 5-14 s for a 1.2 s page on the two
  shared cores.

Hostile images are refused before they are decoded: the pixel count comes
from the header (`Image.open` decodes nothing), and only PNG, JPEG and TIFF
decoders are allowed.
"""
from __future__ import annotations

import io
import itertools
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .extract_pdf import BLOCK_START, PAGE_NUMBER, Frame, Line, Page, join_pages
from .extract_result import LOW_CONFIDENCE, Extracted, ExtractionError, PageConfidence
from .extract_text import _is_cjk

if TYPE_CHECKING:
    from PIL.Image import Image

OCR_DPI = 200  # render resolution of a scanned PDF's pages (measured; see the module docstring)
MAX_OCR_PAGES = 30  # OCR takes about 1.5 s a page; a declaration has a few
MAX_PIXELS = 40_000_000  # an A4 page at 600 dpi is 35 million; a decompression bomb is far more
MAX_SIDE = 3600  # px: a larger image is scaled down to the 200-dpi size of an A4 page before OCR
INSTALL = "apt-get install tesseract-ocr tesseract-ocr-jpn tesseract-ocr-jpn-vert"
IMAGE_FORMATS = ("PNG", "JPEG", "TIFF")  # never EPS (Ghostscript) or any other decoder Pillow knows
PSM = {"jpn": "--psm 4", "jpn_vert": "--psm 5"}  # one column of lines; one block of vertical lines
RETRY_BELOW = 75.0  # mean confidence under which a page is also read with the other writing direction
_A4_LONG_SIDE_200DPI = 2339


# --------------------------------------------------------------------------- entry points


def ocr_pdf(raw: bytes, per_page: int = 0) -> Extracted:
    """The OCR'd text of a PDF without a text layer, page by page."""
    pdfium = _import_pdfium()
    try:
        pdf = pdfium.PdfDocument(raw)
    except Exception as exc:  # noqa: BLE001 - pdfium's errors (PdfiumError) are all "cannot read"
        raise ExtractionError(f"this PDF is damaged and cannot be read ({exc})", "pdf-damaged",
                              detail=str(exc)[:200]) from exc
    try:
        _check_pages(len(pdf))
        extracted = _ocr_pages(_pdf_images(pdf), "pdf", f"PDF rendered at {OCR_DPI} dpi")
    except pdfium.PdfiumError as exc:  # a page that opens with the document but cannot be loaded or drawn
        raise ExtractionError(f"this PDF is damaged and cannot be read ({exc})", "pdf-damaged",
                              detail=str(exc)[:200]) from exc
    finally:
        pdf.close()
    if not extracted.text.strip():
        raise ExtractionError(f"this PDF has no usable text layer (about {per_page} characters per page): it looks"
                              " like a scan, and OCR found no text in its pages either", "pdf-scanned",
                              per_page=per_page)
    return extracted


def extract_image(raw: bytes, name: str) -> Extracted:
    """The OCR'd text of a PNG, JPEG or TIFF (each frame of a TIFF a page)."""
    extracted = _ocr_pages(_file_images(raw, name), "image", "image file")
    if not extracted.text.strip():
        raise ExtractionError(f"OCR found no text in {name}", "ocr-no-text", name=name)
    return extracted


# --------------------------------------------------------------------------- Tesseract, and what is missing


def _check_tesseract() -> frozenset[str]:
    """The Tesseract languages installed, or ocr-unavailable saying what to install."""
    try:
        import pytesseract
    except ImportError as exc:
        raise _unavailable("the Python package pytesseract", "make install") from exc
    try:
        languages = frozenset(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, OSError) as exc:
        raise _unavailable("the tesseract program", INSTALL) from exc
    except pytesseract.TesseractError as exc:
        raise _unavailable(f"a working tesseract program ({str(exc)[:100]})", INSTALL) from exc
    if "jpn" not in languages:
        raise _unavailable("Tesseract's Japanese model (jpn)", INSTALL)
    return languages


def _unavailable(missing: str, install: str) -> ExtractionError:
    return ExtractionError(f"this file is a scan and needs OCR, but {missing} is not installed: {install}",
                           "ocr-unavailable", missing=missing, install=install)


def _import_pdfium():
    try:
        import pypdfium2
    except ImportError as exc:
        raise _unavailable("the Python package pypdfium2", "make install") from exc
    return pypdfium2


# --------------------------------------------------------------------------- images, refused before decoding


def _check_pages(count: int) -> None:
    if count > MAX_OCR_PAGES:
        raise ExtractionError(f"this scan has more than {MAX_OCR_PAGES} pages to OCR: a declaration is much shorter",
                              "ocr-too-many-pages", limit=MAX_OCR_PAGES, pages=count)


def _check_pixels(width: int, height: int, page: int) -> None:
    if width * height > MAX_PIXELS or width <= 0 or height <= 0:
        raise ExtractionError(f"page {page} is {width}×{height} pixels; at most {MAX_PIXELS:,} are read",
                              "image-too-large", page=page, megapixels=round(width * height / 1e6),
                              limit=MAX_PIXELS // 1_000_000)


def _pdf_images(pdf) -> Iterator[Image]:
    """Each page rendered in grey at OCR_DPI, its size checked before any pixel is drawn."""
    for number, page in enumerate(pdf, start=1):
        width, height = page.get_size()  # points
        scale = OCR_DPI / 72
        _check_pixels(round(width * scale), round(height * scale), number)
        yield page.render(scale=scale, grayscale=True).to_pil()


def _file_images(raw: bytes, name: str) -> Iterator[Image]:
    """The frames of an image file, each checked for size before it is decoded, in grey, at most OCR size."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own guard, for any path that skips ours
    try:
        image = Image.open(io.BytesIO(raw), formats=IMAGE_FORMATS)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        if isinstance(exc, Image.DecompressionBombError):  # over twice the limit: Pillow refuses it on opening
            pixels = int(next(iter(re.findall(r"\((\d+) pixels\)", str(exc))), 0))
            raise ExtractionError(f"{name} is too large an image ({exc})", "image-too-large", page=1,
                                  megapixels=round(pixels / 1e6), limit=MAX_PIXELS // 1_000_000) from exc
        raise _damaged(name, exc) from exc
    frames = itertools.islice(ImageSequence.Iterator(image), MAX_OCR_PAGES + 1)
    for number, frame in enumerate(frames, start=1):
        _check_pages(number)
        _check_pixels(*frame.size, number)
        try:
            grey = frame.convert("L")  # decodes the frame: a truncated or corrupt one fails here
        except (OSError, ValueError, SyntaxError) as exc:
            raise _damaged(name, exc) from exc
        yield _ocr_size(grey, frame.info.get("dpi"))


def _damaged(name: str, exc: BaseException) -> ExtractionError:
    return ExtractionError(f"{name} is not a readable PNG, JPEG or TIFF image ({type(exc).__name__}: {exc})",
                           "image-damaged", name=name, detail=f"{type(exc).__name__}: {str(exc)[:200]}")


def _ocr_size(image: Image, dpi: object) -> Image:
    """Scaled down to OCR_DPI when the file says its resolution, else to an A4 page's size at it when larger.

    Never scaled up: enlarging a scan enlarges its noise, which read worse in the measurements.
    """
    try:
        given = float(dpi[0]) if isinstance(dpi, tuple) else 0.0
    except (TypeError, ValueError):
        given = 0.0
    if 100 <= given <= 1200:
        factor = min(1.0, OCR_DPI / given)
    else:
        factor = min(1.0, _A4_LONG_SIDE_200DPI / max(image.size)) if max(image.size) > MAX_SIDE else 1.0
    if factor >= 0.95:
        return image
    from PIL import Image as PILImage

    # BOX (area averaging): of BOX, bilinear and Lanczos, it read the test scans with the highest confidence.
    return image.resize((round(image.width * factor), round(image.height * factor)), PILImage.Resampling.BOX)


# --------------------------------------------------------------------------- OCR of pages


@dataclass(frozen=True)
class _OcrLine:
    text: str
    confidence: float
    box: tuple[int, int, int, int]  # left, top, right, bottom in pixels
    paragraph: tuple[int, int]  # Tesseract's block and paragraph
    bulleted: bool = False  # its opening 〇 or o was taken for the bullet ○


def _ocr_pages(images: Iterable[Image], kind: str, how: str) -> Extracted:
    """OCR every image and join the pages as extract_pdf joins a text layer's.

    Tesseract is checked once the first image is known to be sound, so that a damaged or oversized file is
    refused as such even where OCR is unavailable.
    """
    languages: frozenset[str] = frozenset()
    pages: list[Page] = []
    confidences: list[PageConfidence] = []
    bullets = 0
    for number, image in enumerate(images, start=1):
        if number == 1:
            languages = _check_tesseract()
        lang, lines = _read_page(image, languages)
        pages.append(_page_of(lines, image.height, vertical=lang == "jpn_vert"))
        bullets += sum(line.bulleted for line in lines)
        words = [line.confidence for line in lines]
        confidences.append(PageConfidence(number, round(sum(words) / len(words), 1) if words else 0.0, lang,
                                          tuple((line.text, round(line.confidence, 1)) for line in lines)))
    texts = [page.text for page in pages]
    text, starts = join_pages(pages, texts)
    warnings = _warnings(confidences, how, "jpn_vert" in languages, bullets)
    return Extracted(text, kind, starts, warnings, ocr=tuple(confidences))


def _read_page(image: Image, languages: frozenset[str]) -> tuple[str, list[_OcrLine]]:
    """The page read in the writing direction its ink suggests; the other too when confidence is low."""
    first = "jpn_vert" if _looks_vertical(image) and "jpn_vert" in languages else "jpn"
    lines = _tesseract(image, first)
    other = "jpn" if first == "jpn_vert" else "jpn_vert"
    if _mean(lines) < RETRY_BELOW and other in languages:
        retry = _tesseract(image, other)
        if _mean(retry) > _mean(lines):
            return other, retry
    return first, lines


def _mean(lines: list[_OcrLine]) -> float:
    return sum(line.confidence for line in lines) / len(lines) if lines else 0.0


def _looks_vertical(image: Image) -> bool:
    """True when the ink's blank gaps run down the page (columns) rather than across it (lines).

    Tesseract's OSD reports rotation, not writing direction; and jpn reads a
    vertical page character by character with a deceptively high confidence
    (80 against jpn_vert's 91 on the test page), so the layout decides first.
    """
    import numpy as np

    ink = np.asarray(image.convert("L")) < 128
    rows, cols = ink.sum(axis=1), ink.sum(axis=0)
    if not rows.any():
        return False
    top, bottom = np.flatnonzero(rows)[[0, -1]]
    left, right = np.flatnonzero(cols)[[0, -1]]
    rows, cols = rows[top:bottom + 1], cols[left:right + 1]
    blank_rows = float((rows < 0.02 * rows.max()).mean())
    blank_cols = float((cols < 0.02 * cols.max()).mean())
    return blank_cols > blank_rows + 0.1


def _tesseract(image: Image, lang: str) -> list[_OcrLine]:
    """Tesseract's words, grouped into its lines, each line with its words' mean confidence."""
    import pytesseract

    # One thread per Tesseract: the reading child shares two cores with the server, and OpenMP's spinning
    # threads made a page 5-10 times slower there (docs/BENCHMARKS.md).
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    data = pytesseract.image_to_data(image, lang=lang, config=PSM[lang], output_type=pytesseract.Output.DICT)
    grouped: dict[tuple[int, int, int], list[int]] = {}
    for i, word in enumerate(data["text"]):
        if word.strip() and float(data["conf"][i]) >= 0:
            grouped.setdefault((data["block_num"][i], data["par_num"][i], data["line_num"][i]), []).append(i)
    lines = []
    for (block, par, _), index in grouped.items():
        text = join_words([data["text"][i].strip() for i in index])
        box = (min(data["left"][i] for i in index), min(data["top"][i] for i in index),
               max(data["left"][i] + data["width"][i] for i in index),
               max(data["top"][i] + data["height"][i] for i in index))
        weighted = sum(float(data["conf"][i]) * len(data["text"][i].strip()) for i in index)
        confidence = weighted / len(text.replace(" ", ""))  # per character: one long word outweighs a stray dot
        entry = _bullet(text)
        lines.append(_OcrLine(entry, confidence, box, (block, par), entry != text))
    return lines


def join_words(words: list[str]) -> str:
    """Tesseract's words as a line: a space only between two non-Japanese characters (Latin words, numbers).

    Tesseract splits Japanese into "words" wherever glyphs stand apart and
    puts spaces between them; Japanese has none, while "Business Continuity
    Plan" keeps its own.
    """
    out = ""
    for word in words:
        if out and not _is_cjk(out[-1]) and not _is_cjk(word[0]) and not _closes(out[-1], word[0]):
            out += " "
        out += word
    return out


def _closes(before: str, after: str) -> bool:
    """"( 1 )": no space inside brackets Tesseract reads half-width."""
    return before in "([" or after in ")]、。,."


_BULLET = re.compile(r"^[〇oO0](?=[^\sA-Za-z0-9〇].*[（(][^（()）]{2,40}[)）]\s*$)")


def _bullet(text: str) -> str:
    """A line opening with 〇 (or o, O, 0) and ending in "（組織）" is an initiative entry: its bullet is ○.

    Tesseract reads the bullet ○ as the ideographic zero 〇 or a Latin o; the
    parser knows entries by ○. Recorded in the warnings, like every change.
    """
    return _BULLET.sub("○", text)


def _page_of(lines: list[_OcrLine], height: int, vertical: bool) -> Page:
    """A page's lines as paragraphs: by geometry as for a PDF, or by Tesseract's paragraphs for vertical text."""
    lines = [line for line in lines if not _is_page_number(line, height)]
    if not lines:
        return Page("", False)
    if vertical:
        out = lines[0].text
        for prev, line in itertools.pairwise(lines):
            new = line.paragraph != prev.paragraph or bool(BLOCK_START.match(line.text))
            out += ("\n\n" if new else "\n") + line.text
        return Page(out, False)
    # In PDF coordinates (y up), as the PDF's layout code measures lines.
    geometric = [Line(line.text, line.box[0], line.box[2], height - line.box[3], height - line.box[1])
                 for line in lines]
    frame = Frame.of(geometric)
    out = geometric[0].text
    for prev, line in itertools.pairwise(geometric):
        out += ("\n\n" if frame.breaks(prev, line) else "\n") + line.text
    return Page(out, frame.runs_on(geometric[-1]))


def _is_page_number(line: _OcrLine, height: int) -> bool:
    in_margin = line.box[3] < 0.1 * height or line.box[1] > 0.88 * height
    return in_margin and bool(PAGE_NUMBER.match(line.text.strip()))


# --------------------------------------------------------------------------- what a reviewer is told

# Look-alikes: (katakana, kanji). A katakana one amid kanji, or a kanji one amid katakana, is a likely misreading.
CONFUSIONS = (("ー", "一"), ("ロ", "口"), ("カ", "力"), ("エ", "工"), ("タ", "夕"), ("ニ", "二"), ("ハ", "八"),
              ("ト", "卜"))
_KATAKANA, _KANJI = {k for k, _ in CONFUSIONS}, {c for _, c in CONFUSIONS}
MAX_LISTED = 12


def confusions(text: str) -> list[tuple[str, str, str]]:
    """(what was read, what it may be, the context) for every look-alike whose neighbours are of the other script."""
    found = []
    for i, char in enumerate(text):
        if char not in _KATAKANA and char not in _KANJI:
            continue
        around = [c for c in (text[i - 1] if i else "", text[i + 1] if i + 1 < len(text) else "") if c.strip()]
        if not around:
            continue
        if char in _KATAKANA and any(_is_kanji(c) for c in around) and not any(_is_katakana(c) for c in around):
            found.append((char, dict(CONFUSIONS)[char], text[max(0, i - 4):i + 5]))
        elif char in _KANJI and any(_is_katakana(c) for c in around) and not any(_is_kanji(c) for c in around):
            found.append((char, {v: k for k, v in CONFUSIONS}[char], text[max(0, i - 4):i + 5]))
    return found


def _is_kanji(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def _is_katakana(char: str) -> bool:
    return "\u30a1" <= char <= "\u30fa" or char == "ー"


def _warnings(pages: list[PageConfidence], how: str, vertical_model: bool, bullets: int) -> tuple[str, ...]:
    mean = sum(p.mean for p in pages) / len(pages) if pages else 0.0
    warnings = [f"OCR (Tesseract, {how}): {len(pages)} page(s), mean confidence {mean:.0f}; check the text against"
                " the original"]
    if not vertical_model:
        warnings.append("Tesseract's vertical Japanese model (jpn_vert) is not installed: vertical pages read poorly"
                        f" ({INSTALL})")
    low = [(p.page, c, t) for p in pages for t, c in p.low_lines()]
    if low:
        warnings.append(f"OCR: {len(low)} line(s) read with confidence under {LOW_CONFIDENCE}")
    if bullets:
        warnings.append(f"OCR: {bullets} line(s) opening with 〇 or o and ending in （組織） were given"
                        " the bullet ○")
    found = [(p.page, *c) for p in pages for t, _ in p.lines for c in confusions(t)]
    for page, read, maybe, context in found[:MAX_LISTED]:
        warnings.append(f"OCR look-alike on page {page}: {read} may be {maybe} in 「{context}」")
    if len(found) > MAX_LISTED:
        warnings.append(f"OCR: {len(found) - MAX_LISTED} more look-alike(s) not listed")
    return tuple(warnings)
