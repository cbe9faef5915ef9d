"""Scans are OCR'd: a declaration rendered onto an image (PNG, an image-only PDF, a noisy PNG) is added with
`summitbot corpus add`, indexed, and its passages answer the questions only it can answer.

The scans are made here, for real: Japanese text drawn with Noto CJK onto a page with Pillow. Hostile images (a
decompression bomb, garbage) are refused with their own codes; without Tesseract the refusal names the packages
to install. Tests that need Tesseract are skipped, with that command, where it is missing.
"""
from __future__ import annotations

import io
import random
import shutil
import subprocess
import sys
import time
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from bot.phrases import explain, summary_lines
from index.extract_ocr import INSTALL, confusions, join_words
from index.extract_result import ExtractionError, PageConfidence

from .conftest import ROOT, cli_env, summitbot

FONTS = ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")

# Three declarations of summits to come, each about things no other declaration says.
KAWAGUCHI = [  # summit 11, added as a PNG
    ["第11回中小企業都市サミット", "かわぐち宣言", "", "＜前文＞",
     "我々中小企業都市連絡協議会に加盟する６都市は、鋳物の技術を次代に", "伝えるため、議論を重ねてきた。ここに宣言する。",
     "", "＜宣言＞", "（１）鋳物産業の脱炭素化に向けて",
     "電気炉への転換を進める中小鋳造業者に対し、設備更新の費用を支援す", "るよう国に求める。",
     "（２）デジタル人材の育成", "地域の工業高校と連携し、生産管理システムを扱える技術者を育てる。",
     "（３）海外販路の開拓", "展示会への共同出展により、中小企業の輸出を後押しする。", "",
     "○川口鋳物マイスター塾（川口市）", "熟練の鋳物職人が若手に溶解と造型の技を教える講座を開く。"],
]
AMAGASAKI = [  # summit 12, added as an image-only PDF of two pages
    ["第12回中小企業都市サミット", "あまがさき宣言", "", "＜宣言＞", "（１）水素エネルギーの活用",
     "臨海部の工場で燃料電池の実証を進め、中小企業の参入を支援する。", "（２）工場の防災対策",
     "浸水に備えた事業継続計画の策定を、中小企業に広げる。", "（３）女性技術者の活躍",
     "女性技術者が働き続けられる職場環境づくりを支援する。"],
    ["○尼崎ものづくり支援センター（尼崎市）", "試作品の開発に使える測定機器を中小企業に開放する。"],
]
HIGASHIOSAKA = [  # summit 13, added as a blurred, speckled PNG
    ["第13回中小企業都市サミット", "ひがしおおさか宣言", "", "＜宣言＞", "（１）宇宙産業への参入",
     "人工衛星の部品製造に挑む町工場の連携を支援する。", "（２）価格転嫁の推進",
     "原材料費の上昇分を取引価格に反映できるよう、国に働きかける。", "（３）金型技術の継承",
     "金型職人の技能を映像で記録し、若手の育成に役立てる。", "",
     "○東大阪ロボット開発工房（東大阪市）", "中小企業が共同で介護ロボットを試作する拠点を設ける。"],
]
# (question, a phrase its answer's passage holds): questions only that declaration answers.
QUESTIONS = {
    "png": ("summit11", [("鋳物産業の脱炭素化について何と言っている？", "電気炉"),
                         ("デジタル人材をどう育成する？", "生産管理システム"),
                         ("展示会への共同出展について", "共同出展"),
                         ("川口鋳物マイスター塾では何をする？", "溶解"),
                         ("第11回の宣言で中小鋳造業者への設備更新の支援は？", "設備更新")]),
    "pdf": ("summit12", [("水素エネルギーの活用について何と言っている？", "燃料電池"),
                         ("工場の浸水への備えは？", "浸水"),
                         ("女性技術者の職場環境について", "女性技術者"),
                         ("尼崎ものづくり支援センターは何を開放する？", "測定機器"),
                         ("第12回の宣言で燃料電池の実証は？", "実証")]),
    "noisy": ("summit13", [("宇宙産業への参入について", "宇宙産業"),
                           ("価格転嫁についてどう言っている？", "取引価格"),
                           ("金型技術の継承はどうする？", "金型職人"),
                           ("介護ロボットの試作拠点は？", "介護ロボット"),
                           ("第13回の宣言で町工場の連携は？", "町工場")]),
}
FIGURES: dict[str, dict] = {}  # kind → seconds per page, mean confidence, hit@5 (printed at the end)


def _tesseract_ready() -> str:
    """"" when Tesseract with its Japanese model runs here, else why not."""
    if shutil.which("tesseract") is None:
        return "tesseract is not installed"
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout.split()
    return "" if "jpn" in langs else "Tesseract's Japanese model (jpn) is not installed"


@pytest.fixture(scope="module")
def tesseract() -> None:
    why = _tesseract_ready()
    if why:
        pytest.skip(f"{why}: {INSTALL}")


def _font() -> str:
    found = next((f for f in FONTS if Path(f).exists()), "")
    if not found:
        pytest.skip("no CJK font (apt-get install fonts-noto-cjk)")
    return found


def page_image(lines: list[str], dpi: int = 300):
    """An A4 page with `lines` in 11-pt Noto CJK, as a scanner would give it."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (round(8.27 * dpi), round(11.69 * dpi)), 255)
    draw, font = ImageDraw.Draw(image), ImageFont.truetype(_font(), round(11 / 72 * dpi))
    for n, line in enumerate(lines):
        draw.text((round(0.9 * dpi), round(dpi + n * 18 / 72 * dpi)), line, font=font, fill=0)
    return image


def noisy(image, seed: int = 7):
    """A worse scan: tilted by half a degree, blurred, one pixel in 400 a speck."""
    from PIL import Image, ImageFilter

    rnd = random.Random(seed)
    image = image.rotate(0.5, fillcolor=255, resample=Image.Resampling.BILINEAR).filter(ImageFilter.GaussianBlur(1))
    pixels = image.load()
    for _ in range(image.width * image.height // 400):
        pixels[rnd.randrange(image.width), rnd.randrange(image.height)] = rnd.choice((0, 90, 255))
    return image


def scans(folder: Path) -> dict[str, tuple[Path, str, str, int]]:
    """kind → (file, title, host city, summit) of the three scans, written into `folder`."""
    png = folder / "kawaguchi-scan.png"
    page_image(KAWAGUCHI[0]).save(png, dpi=(300, 300))
    pdf = folder / "amagasaki-scan.pdf"
    first, *rest = [page_image(page) for page in AMAGASAKI]
    first.save(pdf, save_all=True, append_images=rest, resolution=300)
    dirty = folder / "higashiosaka-scan.png"
    noisy(page_image(HIGASHIOSAKA[0])).save(dirty, dpi=(300, 300))
    return {"png": (png, "かわぐち宣言", "川口市", 11), "pdf": (pdf, "あまがさき宣言", "尼崎市", 12),
            "noisy": (dirty, "ひがしおおさか宣言", "東大阪市", 13)}


@pytest.fixture(scope="module")
def workspace(built, tmp_path_factory):
    base = tmp_path_factory.mktemp("ocr")
    shutil.copytree(ROOT / "corpus", base / "corpus")
    shutil.copytree(built.index_dir, base / "index")
    return replace(built, corpus_dir=base / "corpus", index_dir=base / "index")


# --------------------------------------------------------------------------- no Tesseract needed


def test_spaces_only_between_latin_words_and_look_alikes_are_listed_not_changed():
    assert join_words(["中小", "企業", "の", "Business", "Continuity", "Plan", "を", "策定"]) == \
        "中小企業のBusiness Continuity Planを策定"
    assert join_words(["(", "1", ")", "技能"]) == "(1)技能"
    found = confusions("エネルギ一の人ロと協カ")
    assert [(read, maybe) for read, maybe, _ in found] == [("一", "ー"), ("ロ", "口"), ("カ", "力")]
    assert confusions("第一回の入口でエネルギーとカード") == []  # each in its own script's company


def test_the_preview_shows_confidence_per_page_and_the_lines_to_check():
    page = PageConfidence(1, 71.4, "jpn", (("（１）鋳物産業の脱炭素化", 92.0), ("電気炉への転換を進め", 41.5)))
    summary = {"title": "かわぐち宣言", "key": "summit11-kawaguchi", "host_city": "川口市", "passages": 3,
               "kinds": {"declaration": 3}, "sections": ["宣言"], "organizations": [], "set_aside": [],
               "warnings": [], "ocr": [{"page": 1, "confidence": page.mean, "lang": page.lang}],
               "low_confidence": [{"page": 1, "confidence": c, "text": t} for t, c in page.low_lines()]}
    lines = summary_lines(summary)
    assert "OCR confidence / 文字認識の確からしさ (0–100): p1 71" in lines
    assert "low confidence / 要確認 (p1, 42): 電気炉への転換を進め" in lines  # under 60 only
    assert not any("脱炭素化" in line for line in lines)
    assert PageConfidence.from_dict({"page": 1, "mean": 71.4, "lang": "jpn", "lines": [["a", 41.5]]}).lines == \
        (("a", 41.5),)


def test_without_tesseract_the_refusal_says_what_to_install(tmp_path, monkeypatch):
    pytesseract = pytest.importorskip("pytesseract")
    from index.extract import extract

    image = tmp_path / "scan.png"
    page_image(KAWAGUCHI[0], dpi=100).save(image)
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(tmp_path / "no-such-tesseract"))
    with pytest.raises(ExtractionError) as refused:
        extract(image)
    assert refused.value.code == "ocr-unavailable"
    assert INSTALL in explain(refused.value, "cli") and INSTALL in explain(refused.value, "slack", "en")
    assert INSTALL == "apt-get install tesseract-ocr tesseract-ocr-jpn tesseract-ocr-jpn-vert"


def test_summitbot_without_tesseract_on_the_path_names_the_packages(settings, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    image = tmp_path / "scan.png"
    page_image(KAWAGUCHI[0], dpi=100).save(image)
    env = cli_env(replace(settings, corpus_dir=corpus), PATH=str(Path(sys.executable).parent))
    result = summitbot("corpus", "add", str(image), "--summit", "11", env=env, timeout=60)
    assert result.returncode == 2, result.stderr
    assert INSTALL in result.stderr and "Traceback" not in result.stderr
    assert (corpus / "summits.toml").read_bytes() == (ROOT / "corpus" / "summits.toml").read_bytes()


def _bomb(side: int = 30000) -> bytes:
    """A 1-bit PNG of side×side white pixels: about 100 KB on disk, 900 million pixels decoded."""
    import struct

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * (side // 8)
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


@pytest.mark.slow  # runs `summitbot corpus add` as a process per file
def test_a_decompression_bomb_and_garbage_are_refused_and_nothing_is_added(settings, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    bomb, garbage, truncated = tmp_path / "bomb.png", tmp_path / "garbage.png", tmp_path / "half.jpg"
    bomb.write_bytes(_bomb())
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not an image " * 200)
    whole = io.BytesIO()
    page_image(KAWAGUCHI[0], dpi=100).convert("RGB").save(whole, "JPEG")
    truncated.write_bytes(whole.getvalue()[: len(whole.getvalue()) // 3])
    env = cli_env(replace(settings, corpus_dir=corpus))
    expected = {bomb: "megapixels", garbage: "not a readable PNG, JPEG or TIFF", truncated: "not a readable"}
    for path, said in expected.items():
        started = time.monotonic()
        result = summitbot("corpus", "add", str(path), "--summit", "11", env=env, timeout=60)
        assert result.returncode == 2 and said in result.stderr and "Traceback" not in result.stderr, result.stderr
        assert time.monotonic() - started < 30  # refused on its header, never decoded
    assert (corpus / "summits.toml").read_bytes() == (ROOT / "corpus" / "summits.toml").read_bytes()
    assert not list((corpus / "documents").glob("summit11*"))


# --------------------------------------------------------------------------- with Tesseract


def test_a_vertical_page_is_read_with_the_vertical_model(tesseract):
    from PIL import Image, ImageDraw, ImageFont

    from index.extract_ocr import extract_image

    dpi, size = 200, round(11 / 72 * 200)
    image = Image.new("L", (round(8.27 * dpi), round(11.69 * dpi)), 255)
    draw, font = ImageDraw.Draw(image), ImageFont.truetype(_font(), size)
    for column, line in enumerate(["第11回中小企業都市サミット", "かわぐち宣言", "鋳物産業の脱炭素化に向けて",
                                   "電気炉への転換を支援する"]):
        for n, char in enumerate(line):
            draw.text((image.width - dpi - column * 2 * size, dpi + n * round(1.05 * size)), char, font=font, fill=0)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    extracted = extract_image(buffer.getvalue(), "tategaki.png")
    assert extracted.ocr[0].lang == "jpn_vert", extracted.text
    assert "電気炉への転換" in extracted.text and "鋳物産業" in extracted.text


@pytest.mark.slow
def test_scans_are_added_indexed_and_answered(tesseract, workspace, embedder, tmp_path):
    from index.corpus import Corpus
    from index.service import SummitIndex, build

    for kind, (path, title, host, summit) in scans(tmp_path).items():
        started = time.monotonic()
        added = summitbot("corpus", "add", str(path), "--summit", str(summit), "--title", title, "--host-city", host,
                          env=cli_env(workspace), timeout=120)
        seconds = time.monotonic() - started
        assert added.returncode == 0, added.stderr
        assert "OCR confidence / 文字認識の確からしさ (0–100): p1 " in added.stdout, added.stdout
        doc = next(d for d in Corpus.load(workspace.corpus_dir).documents if d.summit == summit)
        assert doc.original.endswith(path.suffix)
        confidence = [float(part.split()[1]) for part in
                      added.stdout.split("(0–100): ")[1].splitlines()[0].split(", ")]
        FIGURES[kind] = {"add_seconds": round(seconds, 1), "pages": len(confidence),
                         "confidence": round(sum(confidence) / len(confidence), 1)}
    build(workspace, progress=False, embedder=embedder)
    service = SummitIndex.open(workspace, embedder=embedder)
    for kind, (key, questions) in QUESTIONS.items():
        hits = []
        for question, phrase in questions:
            answer = service.ask(question, top_k=5)
            hits.append(any(c.document.key.startswith(key) and phrase in c.passage.text for c in answer.citations))
            if not hits[-1]:
                FIGURES[kind].setdefault("missed", []).append(
                    (question, answer.decision.reason, [c.passage.text[:30] for c in answer.citations]))
        FIGURES[kind]["hit@5"] = sum(hits) / len(hits)
    print("\nOCR figures:", FIGURES)
    (ROOT / "tests" / "artifacts").mkdir(exist_ok=True)
    (ROOT / "tests" / "artifacts" / "ocr_figures.txt").write_text(repr(FIGURES) + "\n", encoding="utf-8")
    # OCR misreads a word now and then (Tesseract's fast models): most questions, not every one, find their passage.
    assert all(figures["hit@5"] >= 0.6 for figures in FIGURES.values()), FIGURES
    assert sum(figures["hit@5"] for figures in FIGURES.values()) / len(FIGURES) >= 0.8, FIGURES
