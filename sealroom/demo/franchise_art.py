"""Procedural character portraits for Northwind: 128x128 RGB PNGs drawn with Pillow.

Each portrait is a gradient background, shoulders in the character's faction colour, a head in
one of six skin tones, one of six hair styles in one of ten hair colours, a hat or spectacles,
and a face whose details (eyes, brows, mouth) vary with the seed. The main cast come first (file
name = character slug); past them, invented townsfolk with random looks. Drawn at 2x and
downsampled for smooth edges; saved with fixed PNG parameters, so output is byte-stable.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from sealroom.demo.franchise_text import CAST, FACTIONS, slugify

SIZE = 128
_S = 2 * SIZE  # drawing canvas (supersampled)

SKIN = ((246, 214, 186), (232, 190, 150), (205, 150, 110), (170, 115, 80), (130, 85, 60), (92, 60, 45))
HAIR = ((35, 30, 28), (90, 60, 35), (150, 100, 50), (200, 160, 90), (120, 120, 120), (225, 225, 220),
        (160, 60, 30), (60, 40, 70), (110, 80, 60), (230, 200, 140))
FACTION_COLOURS = {
    "Lighthouse Trust": (190, 40, 45), "Ferro Boatyard": (70, 110, 60), "Quill Shipping Company": (40, 50, 90),
    "Harbour Office": (30, 80, 130), "Low Quay": (120, 90, 60), "Town Council": (90, 40, 90),
    "Newcomers": (200, 140, 40),
}
EXTRA_FIRST = ("Bram", "Ottilie", "Fenn", "Maud", "Caspar", "Ilse", "Ned", "Roswitha", "Jory", "Tamsin",
               "Emrys", "Petra", "Silas", "Una", "Ansel", "Morwen")
EXTRA_LAST = ("Pike", "Hollin", "Creel", "Ballast", "Tidey", "Winch", "Marlow", "Sedge", "Colver", "Rook",
              "Gannet", "Shale")


def _jitter(colour: tuple[int, int, int], r: random.Random, amount: int = 18) -> tuple[int, int, int]:
    return tuple(max(0, min(255, c + r.randint(-amount, amount))) for c in colour)  # type: ignore[return-value]


def _background(r: random.Random, base: tuple[int, int, int]) -> Image.Image:
    top = np.array(_jitter(tuple(255 - (255 - c) // 3 for c in base), r, 30), dtype=np.float64)
    bottom = np.array(_jitter(tuple(c // 2 + 40 for c in base[::-1]), r, 30), dtype=np.float64)
    t = np.linspace(0.0, 1.0, _S)[:, None, None]
    grad = np.broadcast_to(top * (1 - t) + bottom * t, (_S, _S, 3))
    return Image.fromarray(np.round(grad).astype(np.uint8), "RGB")


def portrait(look: tuple[int, int, int, int], faction: str, r: random.Random) -> Image.Image:
    """Draw one portrait. look = (skin, hair colour, hair style, headwear) indices."""
    skin_i, hair_i, style, headwear = look
    skin, hair = SKIN[skin_i % len(SKIN)], HAIR[hair_i % len(HAIR)]
    cloth = _jitter(FACTION_COLOURS[faction], r)
    img = _background(r, FACTION_COLOURS[faction])
    d = ImageDraw.Draw(img)
    cx = _S // 2 + r.randint(-10, 10)
    head_w, head_h = r.randint(70, 88), r.randint(86, 104)
    top = 40 + r.randint(-6, 10)
    head = (cx - head_w // 2, top, cx + head_w // 2, top + head_h)
    chin = head[3]

    if style == 2:  # long hair falls behind the shoulders
        d.rounded_rectangle((head[0] - 10, top + 10, head[2] + 10, chin + 50), radius=30, fill=hair)
    d.ellipse((cx - 95, chin + 10, cx + 95, chin + 190), fill=cloth)  # shoulders
    d.rectangle((cx - 16, chin - 10, cx + 16, chin + 22), fill=skin)  # neck
    d.polygon([(cx - 22, chin + 14), (cx, chin + 44), (cx + 22, chin + 14)], fill=_jitter(cloth, r, 60))
    d.ellipse(head, fill=skin)
    d.ellipse((head[0] - 6, top + head_h // 2 - 10, head[0] + 8, top + head_h // 2 + 12), fill=skin)  # ears
    d.ellipse((head[2] - 8, top + head_h // 2 - 10, head[2] + 6, top + head_h // 2 + 12), fill=skin)

    crown = (head[0] - 4, top - 8, head[2] + 4, top + head_h // 2)
    if style in (0, 2):
        d.chord(crown, 180, 360, fill=hair)
    elif style == 1:  # side part
        d.chord(crown, 180, 360, fill=hair)
        d.polygon([(head[0], top + 22), (cx + 10, top - 4), (head[0] - 2, top + 50)], fill=hair)
    elif style == 3:  # receding: two tufts
        d.chord((head[0] - 4, top + 14, head[0] + 26, top + 60), 90, 270, fill=hair)
        d.chord((head[2] - 26, top + 14, head[2] + 4, top + 60), 270, 90, fill=hair)
    elif style == 4:  # bun
        d.chord(crown, 180, 360, fill=hair)
        d.ellipse((cx - 20, top - 34, cx + 20, top + 4), fill=hair)
    else:  # curls
        for i in range(9):
            x = head[0] + i * head_w // 8
            d.ellipse((x - 14, top - 14 + (i % 2) * 8, x + 14, top + 14 + (i % 2) * 8), fill=hair)

    eye_y = top + head_h * 45 // 100 + r.randint(-4, 4)
    gap, eye_r = r.randint(15, 22), r.randint(5, 8)
    iris = _jitter((60, 90, 120), r, 50)
    for ex in (cx - gap, cx + gap):
        d.ellipse((ex - eye_r - 3, eye_y - eye_r, ex + eye_r + 3, eye_y + eye_r), fill=(250, 250, 245))
        d.ellipse((ex - eye_r + 2, eye_y - eye_r + 2, ex + eye_r - 2, eye_y + eye_r - 2), fill=iris)
        tilt = r.randint(-5, 5)
        d.line((ex - 12, eye_y - 14 + tilt, ex + 12, eye_y - 14 - tilt), fill=hair, width=4)
    d.line((cx, eye_y + 6, cx - 5, eye_y + 24, cx + 3, eye_y + 26), fill=_jitter(skin, r, 40), width=3)
    mouth_y, mouth_w = eye_y + 40, r.randint(12, 22)
    if r.random() < 0.6:
        d.arc((cx - mouth_w, mouth_y - 12, cx + mouth_w, mouth_y + 8), 20, 160, fill=(120, 40, 40), width=4)
    else:
        d.line((cx - mouth_w, mouth_y, cx + mouth_w, mouth_y + r.randint(-4, 4)), fill=(120, 40, 40), width=4)

    if headwear == 1:  # keeper's cap with a peak
        d.chord((head[0] - 6, top - 16, head[2] + 6, top + 44), 180, 360, fill=(30, 35, 60))
        d.rectangle((head[0] - 8, top + 12, head[2] + 20, top + 20), fill=(20, 20, 30))
    elif headwear == 2:  # tall hat
        d.rectangle((cx - 32, top - 46, cx + 32, top + 10), fill=(25, 25, 25))
        d.rectangle((cx - 50, top + 4, cx + 50, top + 14), fill=(25, 25, 25))
    elif headwear == 3:  # officer's cap with a badge
        d.rounded_rectangle((head[0] - 6, top - 10, head[2] + 6, top + 18), radius=8, fill=(240, 240, 240))
        d.rectangle((head[0] - 4, top + 12, head[2] + 4, top + 22), fill=(20, 30, 60))
        d.ellipse((cx - 6, top - 2, cx + 6, top + 10), fill=(220, 180, 40))
    elif headwear == 4:  # knitted beanie
        d.chord((head[0] - 8, top - 20, head[2] + 8, top + 50), 180, 360, fill=_jitter((160, 40, 40), r, 60))
        d.ellipse((cx - 9, top - 32, cx + 9, top - 14), fill=(230, 230, 230))
    elif headwear == 5:  # spectacles
        for ex in (cx - gap, cx + gap):
            d.ellipse((ex - 13, eye_y - 12, ex + 13, eye_y + 12), outline=(40, 40, 40), width=3)
        d.line((cx - gap + 13, eye_y, cx + gap - 13, eye_y), fill=(40, 40, 40), width=3)
    return img.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def _extras(count: int, r: random.Random) -> list[tuple[str, tuple[int, int, int, int], str]]:
    taken = {c.name for c in CAST}
    out = []
    while len(out) < count:
        name = f"{r.choice(EXTRA_FIRST)} {r.choice(EXTRA_LAST)}"
        if name in taken:
            name = f"{name} {len(out) + 2}"  # the pools are small: number the namesakes
        taken.add(name)
        look = (r.randrange(len(SKIN)), r.randrange(len(HAIR)), r.randrange(6), r.randrange(6))
        out.append((name, look, r.choice(FACTIONS)))
    return out


def draw_portraits(directory: Path, *, count: int, seed: int) -> list[Path]:
    """Write `count` portraits as `<character-slug>.png`: the cast first, then townsfolk."""
    people = [(c.name, c.look, c.faction) for c in CAST[:count]]
    people += _extras(count - len(people), random.Random(f"northwind-extras-{seed}"))
    paths = []
    for name, look, faction in people:
        img = portrait(look, faction, random.Random(f"northwind-portrait-{seed}-{name}"))
        path = directory / f"{slugify(name)}.png"
        img.save(path, format="PNG", optimize=False, compress_level=6)
        paths.append(path)
    return paths
