"""Declaration pages as they are really laid out, drawn with reportlab: vertical text, newsletters.

Shared by tests/test_layouts.py and bench/layouts.py (which measures reading
order on them). Each `draw_*` writes a PDF and returns the text a reader
reads, in order: `body` (the declaration, paragraph by paragraph) and
`aside` (what is not declaration content, with why).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

MINCHO, GOTHIC, MINCHO_V = "HeiseiMin-W3", "HeiseiKakuGo-W5", "HeiseiMin-W3-V"


def _fonts() -> None:
    """The horizontal faces, and the vertical one (CMap UniJIS-UCS2-V) under a name of its own."""
    pdfmetrics.registerFont(UnicodeCIDFont(MINCHO))
    pdfmetrics.registerFont(UnicodeCIDFont(GOTHIC))
    vertical = UnicodeCIDFont(MINCHO, isVertical=True)
    vertical.name = vertical.fontName = MINCHO_V
    pdfmetrics.registerFont(vertical)


_fonts()


@dataclass
class Page:
    """What a person reads on a drawn page: the declaration's paragraphs in order, and what is set aside."""

    path: Path
    body: list[str] = field(default_factory=list)
    aside: list[tuple[str, str]] = field(default_factory=list)  # (reason, text)


# --------------------------------------------------------------------------- vertical (縦書き)

VERTICAL_TITLE = "第12回中小企業都市サミット　かわぐち宣言"
VERTICAL_PREAMBLE = (
    "我々中小企業都市連絡協議会に加盟する六都市は、鋳物の街として栄えた川口の地に集い、"
    "伝統の技と新しい技術を結ぶものづくりの未来について議論を重ねた。"
)
VERTICAL_INTRO = "ここに、次の事項に取り組むことを宣言する。"
VERTICAL_ITEMS = [
    ("（１）", "鋳物の技を次代へ継ぐため、熟練職人が若手を指導する「キューポラ技能塾」を開講する。"),
    ("（２）", "中小企業の脱炭素化を進めるため、省エネ診断と設備更新の費用を都市が共同で助成する。"),
    ("（３）", "災害時に部品の供給が途絶えないよう、加盟都市の企業による相互代替生産の協定を結ぶ。"),
    ("（４）", "外国人技能実習生が地域に定着できるよう、日本語教室と住まいの相談窓口を設ける。"),
]
VERTICAL_DATE = "令和八年十月二十日"
VERTICAL_SIGNER = "中小企業都市連絡協議会"


def vertical_columns(width: int = 28) -> list[tuple[str, int]]:
    """The body as columns of at most `width` characters, each with its indent (characters from the top)."""
    columns: list[tuple[str, int]] = []

    def paragraph(text: str, indent: int = 1, hanging: int = 0) -> None:
        first = width - indent
        columns.append((text[:first], indent))
        rest = text[first:]
        while rest:
            columns.append((rest[: width - hanging], hanging))
            rest = rest[width - hanging:]

    paragraph("＜前文＞", indent=2)
    paragraph(VERTICAL_PREAMBLE)
    paragraph(VERTICAL_INTRO)
    paragraph("＜宣言＞", indent=2)
    for marker, text in VERTICAL_ITEMS:
        paragraph(marker + text, indent=0, hanging=1)
    paragraph(VERTICAL_DATE, indent=12)
    paragraph(VERTICAL_SIGNER, indent=14)
    return columns


def draw_vertical(path: Path, cmap: bool = False, heading: bool = True) -> Page:
    """A 縦書き declaration: a horizontal title band, then columns from right to left, characters top to bottom.

    `cmap`: the vertical CMap (UniJIS-UCS2-V) lays each column out as one string,
    as Word and InDesign do; otherwise every character is placed on its own.
    """
    size, column_pitch, top, right = 12, 22, 700, 540
    pdf = canvas.Canvas(str(path), pagesize=A4)
    if heading:
        pdf.setFont(GOTHIC, 16)
        pdf.drawCentredString(A4[0] / 2, 770, VERTICAL_TITLE)
    for n, (text, indent) in enumerate(vertical_columns()):
        x = right - n * column_pitch
        y = top - indent * size
        if cmap:
            pdf.setFont(MINCHO_V, size)
            pdf.drawString(x + size / 2, y, text)
        else:
            pdf.setFont(MINCHO, size)
            for i, char in enumerate(text):
                pdf.drawString(x, y - (i + 1) * size, char)
    pdf.showPage()
    pdf.save()
    body = [VERTICAL_TITLE] if heading else []
    body += ["＜前文＞", VERTICAL_PREAMBLE, VERTICAL_INTRO, "＜宣言＞"]
    body += [marker + text for marker, text in VERTICAL_ITEMS] + [VERTICAL_DATE, VERTICAL_SIGNER]
    return Page(path, body)


# --------------------------------------------------------------------------- newsletters

MASTHEAD = ("サミット通信", "第13号", "令和8年11月1日発行")
NEWS_TITLE = "第13回中小企業都市サミット あまがさき宣言"
NEWS_PREAMBLE = (
    "我々中小企業都市連絡協議会に加盟する六都市は、臨海部の工業集積を誇る尼崎の地に集い、"
    "中小企業が直面する人手不足とエネルギー価格の高騰に立ち向かう方策を話し合った。"
)
NEWS_ITEMS = [
    ("（１）", "工場の屋根に太陽光発電を載せる中小企業に、加盟都市が共同で設置費の三分の一を助成する。"),
    ("（２）", "運河沿いの工場群を結ぶ「尼崎ものづくり見学路」を整備し、修学旅行生を受け入れる。"),
    ("（３）", "金型や治具の図面を電子化する企業に専門家を派遣し、技能のデジタル継承を支援する。"),
    ("（４）", "中小企業の女性技術者が働き続けられるよう、工業団地に共同の保育所を設ける。"),
]
CAPTION = "▲宣言文を手渡す尼崎市長（左）と大阪府知事"
AD = ["尼崎市中小企業センター", "会議室・展示場のご利用を承ります", "TEL 06-6488-9501 FAX 06-6488-9525"]
CONTACT = "発行：中小企業都市連絡協議会事務局 〒660-0881 尼崎市昭和通2-6-68 E-mail: summit@example.jp"


def _wrap(text: str, width: int, indent: int = 0, hanging: int = 0) -> list[tuple[str, int]]:
    lines = [(text[: width - indent], indent)]
    rest = text[width - indent:]
    while rest:
        lines.append((rest[: width - hanging], hanging))
        rest = rest[width - hanging:]
    return lines


def news_lines(width: int) -> list[tuple[str, int]]:
    """The declaration as column lines of `width` characters: (text, indent in characters); ("", 0) is a gap."""
    lines = _wrap(NEWS_TITLE, width, indent=1) + [("", 0), ("＜前文＞", 0)]
    lines += _wrap(NEWS_PREAMBLE, width, indent=1) + [("＜宣言＞", 0)]
    for marker, text in NEWS_ITEMS:
        lines += _wrap(marker + text, width, hanging=1)
    return lines


def _photo(pdf: canvas.Canvas, x: float, y: float, w: float, h: float) -> None:
    """A grey photograph (a real raster image, as pdfminer sees a photo: LTImage in an LTFigure)."""
    from PIL import Image

    image = Image.new("RGB", (40, 30), (150, 150, 150))
    pdf.drawInlineImage(image, x, y, w, h)


def draw_newsletter(path: Path, columns: int = 2) -> Page:
    """A newsletter page: masthead, the declaration in `columns` columns, a photo with its caption, an ad box, contact."""
    width_pt, height_pt = A4
    margin, gutter = 40, (15 if columns == 2 else 12)
    size = 10 if columns == 2 else 9
    pitch = size * 1.6
    column_width = (width_pt - 2 * margin - (columns - 1) * gutter) / columns
    chars = int(column_width // size)
    pdf = canvas.Canvas(str(path), pagesize=A4)

    pdf.setFont(GOTHIC, 26)
    pdf.drawString(margin, height_pt - 70, MASTHEAD[0])
    pdf.setFont(GOTHIC, 11)
    pdf.drawRightString(width_pt - margin, height_pt - 55, MASTHEAD[1])
    pdf.drawRightString(width_pt - margin, height_pt - 70, MASTHEAD[2])
    pdf.setLineWidth(2)
    pdf.line(margin, height_pt - 82, width_pt - margin, height_pt - 82)

    top = height_pt - 110
    rows = 11 if columns == 2 else 9  # short columns: the declaration runs on from one column into the next
    lines = news_lines(chars)
    # The last column holds the photo, its caption and the advertisement below the declaration's end.
    col, row = 0, 0
    for text, indent in lines:
        if row >= rows:
            col, row = col + 1, 0
        x = margin + col * (column_width + gutter)
        if text:
            pdf.setFont(MINCHO, size)
            pdf.drawString(x + indent * size, top - row * pitch, text)
        row += 1
    x = margin + col * (column_width + gutter)
    y = top - row * pitch - 20
    photo_h = 90
    _photo(pdf, x, y - photo_h, column_width, photo_h)
    pdf.setFont(GOTHIC, size - 1)
    pdf.drawString(x, y - photo_h - 13, CAPTION[: chars + 2])
    ad_top = y - photo_h - 40
    ad_h = 3 * pitch + 14
    pdf.setLineWidth(1)
    pdf.rect(x, ad_top - ad_h, column_width, ad_h)
    pdf.setFont(GOTHIC, size - 1)
    for n, text in enumerate(AD):
        pdf.drawString(x + 6, ad_top - 14 - n * pitch, text)
    pdf.setFont(MINCHO, 8)
    pdf.drawString(margin, 60, CONTACT)
    pdf.showPage()
    pdf.save()
    body = [NEWS_TITLE, "＜前文＞", NEWS_PREAMBLE, "＜宣言＞"] + [marker + text for marker, text in NEWS_ITEMS]
    aside = [("masthead", " ".join(MASTHEAD)), ("caption", CAPTION[: chars + 2]), ("advertisement", " ".join(AD)),
             ("contact", CONTACT)]
    return Page(path, body, aside)
