"""Hostile uploads against the limited reading path the server uses (index/worker.py → index/sandbox.py).

    .venv/bin/python bench/hostile_files.py

Builds, in a temporary folder: a Flate compression bomb, a PDF whose text is
one 200,000-character line, a PDF that keeps pdfminer's layout analysis busy
for minutes, one with more pages than allowed, a password-protected one and a
truncated one, plus an ordinary two-page declaration as the control. Each
goes through `worker.prepare_with_outcome`, exactly what an upload in Slack
goes through, and is reported with the child's time and memory. `measure()`
returns the rows; `markdown(rows)` makes a table (bench/reliability.py uses
both, and checks there that the server kept answering meanwhile).
"""
from __future__ import annotations

import random
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index import worker  # noqa: E402
from index.sandbox import Limits  # noqa: E402
from tests.test_extract import pdf_bytes  # noqa: E402  (the tests' own PDF writer)

DECLARATION = ["第10回中小企業都市サミット", "おかや宣言", "＜宣言＞",
               "（１）技能の継承に向けて",
               "①熟練技能者の精密加工の技能を若手へ継承する「技能伝承マイスター制度」を創設する。"]
_SENTENCE = "中小企業の技能を次代につなぐため、地域の事業者と連携して人材を育成する。"


def _stream(packed: bytes) -> bytes:
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"


def _pages(contents: list[bytes]) -> list[bytes]:
    """Catalog, page tree, a Helvetica font and one page per (already compressed) content stream."""
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(contents))).encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(contents)),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i, packed in enumerate(contents):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
                       b" /Contents %d 0 R >>" % (5 + 2 * i))
        objects.append(_stream(packed))
    return objects


def bomb_pdf(path: Path, megabytes: int = 400) -> Path:
    """One page whose content stream inflates to `megabytes` MB of spaces (compressed in a stream: bounded memory)."""
    packer = zlib.compressobj(9)
    parts = [packer.compress(b"BT /F1 12 Tf 72 700 Td (x) Tj ET\n")]
    chunk = b" " * (1 << 20)
    parts += [packer.compress(chunk) for _ in range(megabytes)]
    parts.append(packer.flush())
    path.write_bytes(pdf_bytes(_pages([b"".join(parts)])))
    return path


def slow_pdf(path: Path, glyphs: int = 12_000) -> Path:
    """One page of single letters at random places: pdfminer's layout analysis is superlinear in them
    (5,000 take 0.5 s, 12,000 about 150 s of CPU here)."""
    rnd = random.Random(1)
    content = "".join(f"BT /F1 {rnd.randint(4, 14)} Tf {rnd.uniform(0, 595):.1f} {rnd.uniform(0, 842):.1f} Td "
                      f"({chr(rnd.randint(97, 122))}) Tj ET\n" for _ in range(glyphs))
    path.write_bytes(pdf_bytes(_pages([zlib.compress(content.encode(), 9)])))
    return path


def many_pages_pdf(path: Path, pages: int = 201) -> Path:
    """`pages` small pages of text (all sharing one content stream's text)."""
    content = zlib.compress(b"BT /F1 12 Tf 72 700 Td (A page of a very long report.) Tj ET\n")
    path.write_bytes(pdf_bytes(_pages([content] * pages)))
    return path


def _reportlab_pdf(path: Path, lines: list[str], **canvas_options) -> Path:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    page = canvas.Canvas(str(path), **canvas_options)
    for n, line in enumerate(lines):
        page.setFont("HeiseiMin-W3", 11)
        page.drawString(50, 800 - 28 * n, line)
    page.save()
    return path


def declaration_pdf(path: Path) -> Path:
    return _reportlab_pdf(path, DECLARATION)


def long_line_pdf(path: Path, characters: int = 200_000) -> Path:
    """A declaration's headings, then one line of `characters` characters (it crashed MeCab in a build)."""
    return _reportlab_pdf(path, DECLARATION[:3] + [(_SENTENCE * (characters // len(_SENTENCE) + 1))[:characters]])


def encrypted_pdf(path: Path) -> Path:
    from reportlab.lib.pdfencrypt import StandardEncryption

    return _reportlab_pdf(path, DECLARATION, encrypt=StandardEncryption("secret", ownerPassword="owner"))


def truncated_pdf(path: Path) -> Path:
    whole = declaration_pdf(path.with_name("whole.pdf")).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    return path


FILES = {"declaration (control)": declaration_pdf, "compression bomb (400 MB inflated)": bomb_pdf,
         "one 200,000-character line": long_line_pdf, "12,000 scattered glyphs (slow layout)": slow_pdf,
         "201 pages": many_pages_pdf, "password-protected": encrypted_pdf, "truncated": truncated_pdf}


def measure(limits: Limits = worker.READ_LIMITS, skip: tuple[str, ...] = ()) -> list[dict]:
    """Each hostile file through the server's reading path; `skip` leaves out files by name (e.g. the slow one)."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="summitbot-hostile-") as folder:
        for n, (name, make) in enumerate(FILES.items()):
            if name in skip:
                continue
            path = make(Path(folder) / f"upload{n}.pdf")
            draft, outcome, error = worker.prepare_with_outcome(ROOT / "corpus", path, 10, limits=limits)
            rows.append({
                "file": name, "size_kb": round(path.stat().st_size / 1024, 1),
                "result": (str(error) if error else f"draft: {len(draft.parse.passages)} passages")[:90],
                "stopped": outcome.stopped, "child_seconds": round(outcome.seconds, 2),
                "child_cpu_seconds": round(outcome.cpu_seconds, 2), "child_peak_mb": round(outcome.peak_mb, 1),
                "added": draft is not None,  # True only when the file got through: an admin would be offered Add
            })
    return rows


def markdown(rows: list[dict]) -> str:
    lines = ["| file | size | result | stopped by | child s (CPU s) | child peak MB | offered for adding |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        result = row["result"].split(" / ")[0].replace("|", "/")
        lines.append(f"| {row['file']} | {row['size_kb']:,} KB | {result} | {row['stopped'] or '—'} | "
                     f"{row['child_seconds']} ({row['child_cpu_seconds']}) | {row['child_peak_mb']} | "
                     f"{'yes' if row['added'] else 'no'} |")
    limits = worker.READ_LIMITS
    lines.append(f"\nLimits of the reading child: {limits.seconds:g} s wall clock, {limits.cpu_seconds} s CPU, "
                 f"{limits.address_mb} MB address space.")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(measure()))
