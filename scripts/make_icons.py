#!/usr/bin/env python3
"""Draw Fieldline's icons with the standard library only (zlib + struct).

The mark: a bold white "F" on the brand green whose middle bar ends in an amber
dot, a pin at the end of a line. The same shapes are in the shell page's
splash SVG. Writes app/static/pwa/icons/:

    icon-192.png, icon-512.png   purpose "any": rounded square, transparent corners
    maskable-512.png             purpose "maskable": full bleed, mark in the safe zone
    apple-touch-icon.png         180 x 180, full bleed (iOS rounds it itself)
    favicon.ico                  16, 32 and 48 px PNGs in one ICO

Run: python3 scripts/make_icons.py
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "app" / "static" / "pwa" / "icons"

GREEN = (11, 107, 87)
WHITE = (255, 255, 255)
AMBER = (255, 197, 61)

# The mark on a 64 x 64 grid (same as the SVG in index.html).
F_RECTS = [(19, 14, 46, 23), (19, 14, 29, 50), (29, 30, 43, 39)]  # x0, y0, x1, y1
DOT = (46.5, 34.5, 5.0)  # cx, cy, r
CORNER = 15.0
SAMPLES = 4  # supersampling per axis, for smooth edges


def in_rounded_square(x: float, y: float, r: float) -> bool:
    if not (0 <= x <= 64 and 0 <= y <= 64):
        return False
    cx = min(max(x, r), 64 - r)
    cy = min(max(y, r), 64 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def colour_at(x: float, y: float, rounded: bool, scale: float) -> tuple[int, int, int, int]:
    """RGBA of one sample point in grid units; the mark is scaled about the centre."""
    if rounded and not in_rounded_square(x, y, CORNER):
        return (0, 0, 0, 0)
    mx = 32 + (x - 32) / scale
    my = 32 + (y - 32) / scale
    cx, cy, r = DOT
    if (mx - cx) ** 2 + (my - cy) ** 2 <= r * r:
        return (*AMBER, 255)
    for x0, y0, x1, y1 in F_RECTS:
        if x0 <= mx <= x1 and y0 <= my <= y1:
            return (*WHITE, 255)
    return (*GREEN, 255)


def render(size: int, rounded: bool, scale: float = 1.0) -> list[bytes]:
    rows = []
    n = SAMPLES
    step = 64 / size
    for py in range(size):
        row = bytearray()
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(n):
                for sx in range(n):
                    x = (px + (sx + 0.5) / n) * step
                    y = (py + (sy + 0.5) / n) * step
                    r, g, b, a = colour_at(x, y, rounded, scale)
                    acc[0] += r * a
                    acc[1] += g * a
                    acc[2] += b * a
                    acc[3] += a
            alpha = acc[3]
            if alpha:
                rgb = (round(acc[i] / alpha) for i in range(3))
                row += bytes((*rgb, round(alpha / (n * n))))
            else:
                row += b"\0\0\0\0"
        rows.append(bytes(row))
    return rows


def png(rows: list[bytes]) -> bytes:
    height = len(rows)
    width = len(rows[0]) // 4

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    raw = b"".join(b"\0" + row for row in rows)  # filter type 0 on every row
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def ico(images: dict[int, bytes]) -> bytes:
    """An ICO holding PNG images (supported by every current browser)."""
    entries = b""
    data = b""
    offset = 6 + 16 * len(images)
    for size, blob in images.items():
        side = size % 256  # 0 means 256
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset + len(data))
        data += blob
    return struct.pack("<HHH", 0, 1, len(images)) + entries + data


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    outputs = {
        "icon-192.png": png(render(192, rounded=True)),
        "icon-512.png": png(render(512, rounded=True)),
        # Maskable: the mark shrunk into the central safe circle (80 % diameter).
        "maskable-512.png": png(render(512, rounded=False, scale=0.72)),
        "apple-touch-icon.png": png(render(180, rounded=False, scale=0.86)),
        "favicon.ico": ico({s: png(render(s, rounded=True)) for s in (16, 32, 48)}),
    }
    for name, blob in outputs.items():
        (OUT / name).write_bytes(blob)
        print(f"{name}: {len(blob)} bytes")


if __name__ == "__main__":
    main()
