"""Draw the ribbon's icons (16, 32 and 80 px PNGs) without an image library.

    python templates/addin/make_icons.py [FOLDER]

Each icon is a rounded square in the header blue of the result sheets with a white
glyph; shapes are described in a 0..1 square, sampled 4 × 4 times per pixel for smooth
edges, and written as RGBA PNGs with zlib and struct. The output is byte-for-byte the
same on every run, so the committed PNGs can be checked against a fresh drawing.
"""

from __future__ import annotations

import itertools
import math
import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

SIZES = (16, 32, 80)
BACKGROUND = (0x1F, 0x4E, 0x78)  # styles.HEADER_FILL_COLOR
GLYPH = (0xFF, 0xFF, 0xFF)
SAMPLES = 4
Shape = Callable[[float, float], bool]  # (x, y) in 0..1, y downwards -> inside?
Segment = tuple[float, float, float, float]


def _segments(points: list[tuple[float, float]]) -> list[Segment]:
    return [(*a, *b) for a, b in itertools.pairwise(points)]


def _near(segments: list[Segment], width: float) -> Shape:
    """Inside when within width/2 of any segment: strokes with round ends."""
    def inside(x: float, y: float) -> bool:
        for x1, y1, x2, y2 in segments:
            dx, dy = x2 - x1, y2 - y1
            t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
            if math.hypot(x - x1 - t * dx, y - y1 - t * dy) <= width / 2:
                return True
        return False
    return inside


def _boxes(boxes: list[tuple[float, float, float, float]]) -> Shape:
    return lambda x, y: any(x0 <= x <= x1 and y0 <= y <= y1 for x0, y0, x1, y1 in boxes)


def _union(*shapes: Shape) -> Shape:
    return lambda x, y: any(shape(x, y) for shape in shapes)


def _disc(cx: float, cy: float, radius: float) -> Shape:
    return lambda x, y: math.hypot(x - cx, y - cy) <= radius


GLYPHS: dict[str, Shape] = {
    # the add-in: a grid of cells with a plan line rising across it
    "icon": _union(_boxes([(.22, .22, .78, .30), (.22, .22, .30, .78)]),
                   _near(_segments([(.36, .72), (.52, .52), (.62, .60), (.78, .36)]), .10)),
    # check BOM: a tick
    "check": _near(_segments([(.24, .52), (.42, .70), (.76, .30)]), .13),
    # run MRP: bars of a plan over time
    "plan": _boxes([(.20, .56, .34, .78), (.43, .40, .57, .78), (.66, .22, .80, .78)]),
    # generate tasks: a list of three ticked lines
    "tasks": _union(_boxes([(.20, .24, .30, .34), (.20, .46, .30, .56), (.20, .68, .30, .78),
                            (.40, .26, .80, .32), (.40, .48, .80, .54), (.40, .70, .80, .76)])),
    # kitting: a tray holding the different parts of one set
    "kit": _union(_near(_segments([(.20, .44), (.20, .78), (.80, .78), (.80, .44)]), .10),
                  _disc(.37, .56, .12), _boxes([(.51, .40, .68, .68)])),
    # post documents: a document's arrow going into the stock ledger's column
    "post": _union(_near(_segments([(.18, .50), (.58, .50)]), .11),
                   _near(_segments([(.42, .33), (.59, .50), (.42, .67)]), .11),
                   _boxes([(.68, .20, .80, .80)])),
    # progress alerts: a warning triangle
    "alerts": _union(_near(_segments([(.50, .18), (.84, .78), (.16, .78), (.50, .18)]), .09),
                     _near([(.50, .38, .50, .57)], .10), _disc(.50, .67, .055)),
    # costing: the yuan sign
    "cost": _near([(.28, .20, .50, .46), (.72, .20, .50, .46), (.50, .46, .50, .82),
                   (.30, .52, .70, .52), (.30, .69, .70, .69)], .11),
    # match invoices: order, receipt and invoice joined into one triangle of links
    "match": _union(_near(_segments([(.26, .72), (.50, .28), (.74, .72), (.26, .72)]), .07),
                    _disc(.26, .72, .12), _disc(.50, .28, .12), _disc(.74, .72, .12)),
    # reports: a page with a bar chart on it
    "report": _union(_near(_segments([(.22, .16), (.78, .16), (.78, .84), (.22, .84),
                                      (.22, .16)]), .07),
                     _boxes([(.32, .56, .40, .74), (.46, .40, .54, .74), (.60, .28, .68, .74)])),
    # suggestions: a light bulb
    "suggest": _union(_disc(.50, .40, .22), _boxes([(.40, .58, .60, .70), (.43, .74, .57, .82)])),
    # options: three sliders
    "options": _union(_boxes([(.18, .27, .82, .33), (.18, .47, .82, .53),
                              (.18, .67, .82, .73)]),
                      _boxes([(.30, .20, .40, .40), (.58, .40, .68, .60),
                              (.38, .60, .48, .80)])),
}


def _rounded(x: float, y: float, radius: float = .18) -> bool:
    cx, cy = min(max(x, radius), 1 - radius), min(max(y, radius), 1 - radius)
    return math.hypot(x - cx, y - cy) <= radius


def draw(glyph: Shape, size: int) -> bytes:
    """RGBA rows, each led by PNG filter byte 0."""
    rows = bytearray()
    step = 1.0 / (size * SAMPLES)
    for py in range(size):
        rows.append(0)
        for px in range(size):
            inside = on_glyph = 0
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    x = (px * SAMPLES + sx + .5) * step
                    y = (py * SAMPLES + sy + .5) * step
                    if _rounded(x, y):
                        inside += 1
                        on_glyph += glyph(x, y)
            total = SAMPLES * SAMPLES
            share = on_glyph / inside if inside else 0.0
            rgb = (round(b + (g - b) * share) for b, g in zip(BACKGROUND, GLYPH, strict=True))
            rows += bytes((*rgb, round(255 * inside / total)))
    return bytes(rows)


def png(size: int, rgba_rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rgba_rows, 9)) + chunk(b"IEND", b""))


def icon_files() -> dict[str, bytes]:
    """File name -> PNG bytes: <glyph>-<size>.png for every glyph and size."""
    return {f"{name}-{size}.png": png(size, draw(glyph, size))
            for name, glyph in GLYPHS.items() for size in SIZES}


def main(argv: list[str]) -> None:
    folder = Path(argv[0]) if argv else Path(__file__).resolve().parent
    for name, data in icon_files().items():
        (folder / name).write_bytes(data)
        print(folder / name)


if __name__ == "__main__":
    main(sys.argv[1:])
