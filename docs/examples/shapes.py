"""Write images of the demo's shapes to files, for the docs' examples of `--data` and `predict`.

    python docs/examples/shapes.py my-shapes --per-class 150 --classes circle,cross
        my-shapes/circle/0000.png ... (one folder of class subfolders), plus one file that is
        not an image (my-shapes/cross/broken.jpg), as a real download folder often has
    python docs/examples/shapes.py --image triangle triangle.png
        one 32x32 image of a triangle

The images come from the same generator as `cnnquiz train --demo` (cnnquiz.train.data), so a
network trained on the demo recognises them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image

from cnnquiz.train.data import DEMO_CLASSES, shape_images


def images_of(name: str, count: int, seed: int) -> list[Image.Image]:
    """``count`` images of the class ``name``, drawn from the demo generator with ``seed``."""
    label = DEMO_CLASSES.index(name)
    found: list[Image.Image] = []
    while len(found) < count:
        pixels, labels = shape_images(8 * count, seed=seed)
        found += [Image.fromarray(p) for p, lab in zip(pixels, labels, strict=True) if lab == label]
        seed += 1000
    return found[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", type=Path, help="the folder to fill, or the image with --image")
    parser.add_argument("--per-class", type=int, default=100, help="images per class")
    parser.add_argument("--classes", default=",".join(DEMO_CLASSES), help="comma-separated")
    parser.add_argument("--image", metavar="CLASS", help="write one image of this class")
    parser.add_argument("--seed", type=int, default=12345, help="not the demo's seed 0")
    args = parser.parse_args()
    if args.image:
        images_of(args.image, 1, args.seed)[0].save(args.target)
        return
    for name in args.classes.split(","):
        folder = args.target / name
        folder.mkdir(parents=True, exist_ok=True)
        for i, image in enumerate(images_of(name, args.per_class, args.seed)):
            image.save(folder / f"{i:04d}.png")
    (args.target / name / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated download")


if __name__ == "__main__":
    main()
