"""Training data as tensors in memory: the embedded shapes dataset and the student's image folders.

The embedded dataset is drawn at run time from a seed: nothing is downloaded and nothing large
sits in the repository. Each image shows one shape (circle, square, triangle or cross) of a
random colour, size and position on a noisy background of another random colour. Colour carries
no signal and the shape can be anywhere, which is the course notes' point ("a dog need not be
centred"): a CNN's shared kernels find a shape wherever it is, a dense network must learn every
position apart.

Image folders use Keras's layout (``train/``, ``valid/``, optional ``test/``, one subfolder per
class, as Kaggle's car-or-truck set comes) or one folder of class subfolders split 70/15/15.
"""

from __future__ import annotations

import functools
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cnnquiz.errors import CnnquizError

DEMO_CLASSES = ("circle", "square", "triangle", "cross")
DEMO_SIZE = 32  # pixels, height and width of the embedded images
DEMO_SPLIT = (6000, 1000, 1000)  # train, validation, test images of the embedded set
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm")
SPLIT_FRACTIONS = (0.70, 0.15)  # train, validation of a single folder; the rest is test
MAX_IMAGE_PIXELS = 50_000_000  # larger images are refused as decompression bombs


@dataclass
class Split:
    """Images as float32 N x C x H x W (already normalised) and labels as int64 N."""

    x: Any  # torch.Tensor
    y: Any  # torch.Tensor

    def __len__(self) -> int:
        return int(self.y.shape[0])


@dataclass
class Dataset:
    classes: tuple[str, ...]
    train: Split
    valid: Split
    test: Split | None
    mean: tuple[float, ...]  # per channel, of the training images in 0..1, for predict
    std: tuple[float, ...]
    source: str  # "demo" or the folder
    skipped: list[str] = field(default_factory=list)  # files that could not be read

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """H, W, C as the spec writes shapes."""
        _, c, h, w = self.train.x.shape
        return (h, w, c)


# --------------------------------------------------------------------------------------------
# The embedded shapes.


def shape_images(n: int, size: int = DEMO_SIZE, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` RGB images (uint8, N x H x W x 3) of random shapes and their labels (0..3).

    Vectorised numpy over the whole batch: 8,000 images take well under a second.
    """
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(DEMO_CLASSES), n)
    # half-width 18% to 32% of the side: the smallest still show their outline at 32 pixels
    r = (rng.uniform(0.18, 0.32, n) * size).astype(np.float32)
    cy = rng.uniform(r, size - r).astype(np.float32)
    cx = rng.uniform(r, size - r).astype(np.float32)
    grid = np.arange(size, dtype=np.float32) + 0.5
    masks = np.empty((n, size, size), dtype=bool)
    for label, inside in enumerate((_circle, _square, _triangle, _cross)):
        pick = labels == label
        dy = grid[None, :, None] - cy[pick, None, None]
        dx = grid[None, None, :] - cx[pick, None, None]
        masks[pick] = inside(dx, dy, r[pick, None, None])

    background = rng.uniform(0, 1, (n, 3)).astype(np.float32)
    colour = rng.uniform(0, 1, (n, 3)).astype(np.float32)
    # keep the shape visible: too close to the background, take the opposite colour
    close = np.linalg.norm(colour - background, axis=1) < 0.45
    colour[close] = 1 - background[close]
    still = np.linalg.norm(colour - background, axis=1) < 0.45
    colour[still] = np.where(background[still] > 0.5, 0.0, 1.0)
    images = np.where(masks[..., None], colour[:, None, None, :], background[:, None, None, :])
    images += rng.standard_normal(images.shape, dtype=np.float32) * 0.08  # sensor noise
    return (np.clip(images, 0, 1) * 255 + 0.5).astype(np.uint8), labels.astype(np.int64)


def _circle(dx: np.ndarray, dy: np.ndarray, r: np.ndarray) -> np.ndarray:
    return dx**2 + dy**2 <= r**2


def _square(dx: np.ndarray, dy: np.ndarray, r: np.ndarray) -> np.ndarray:
    return np.maximum(abs(dx), abs(dy)) <= r * 0.85  # about the circle's area


def _triangle(dx: np.ndarray, dy: np.ndarray, r: np.ndarray) -> np.ndarray:
    return (dy >= -r) & (dy <= r * 0.8) & (abs(dx) <= (dy + r) * 0.6)  # apex up


def _cross(dx: np.ndarray, dy: np.ndarray, r: np.ndarray) -> np.ndarray:
    arm = r / 3
    return ((abs(dx) <= arm) & (abs(dy) <= r)) | ((abs(dy) <= arm) & (abs(dx) <= r))


def demo_dataset(
    seed: int = 0, split: tuple[int, int, int] | None = None, size: int = DEMO_SIZE
) -> Dataset:
    """The embedded dataset, deterministic by ``seed``; the three splits never share an image."""
    split = split or DEMO_SPLIT
    images, labels = shape_images(sum(split), size, seed)
    a, b = split[0], split[0] + split[1]
    parts = [(images[:a], labels[:a]), (images[a:b], labels[a:b]), (images[b:], labels[b:])]
    return _to_dataset(DEMO_CLASSES, parts, "demo", [])


def demo_samples(size: int = DEMO_SIZE, seed: int = 0) -> list[tuple[str, np.ndarray]]:
    """One new image of each demo class (uint8 H x W x 3), for ``predict`` to be tried on.

    Drawn from another stream than the dataset's (its seed offset by 10^9), so a sample is
    never one of the training images; the first of each class, in class order.
    """
    images, labels = shape_images(64, size, 10**9 + seed)
    return [(name, images[np.flatnonzero(labels == k)[0]]) for k, name in enumerate(DEMO_CLASSES)]


# --------------------------------------------------------------------------------------------
# Image folders.


@functools.cache
def _quiet_pillow_bomb_warning() -> None:
    """decode_image checks the pixel count itself before decoding; Pillow's own warning
    (between 1x and 2x its limit) would only add a stray line. Beyond 2x Pillow raises, which
    decode_image turns into the same refusal. Set once: ``catch_warnings`` is not thread-safe."""
    from PIL import Image

    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


def decode_image(path: Path, size: tuple[int, int], channels: int = 3) -> np.ndarray:
    """One file as uint8 H x W x C: EXIF orientation applied, any mode to RGB (or L), resized.

    Raises ``CnnquizError`` for files Pillow cannot read and for decompression bombs.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    _quiet_pillow_bomb_warning()
    try:
        with Image.open(path) as opened:  # the header only: the size is known, nothing decoded
            if opened.width * opened.height > MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError(f"{opened.width} x {opened.height} pixels")
            # JPEG only: decode at a reduced scale still at least the target size (fast)
            opened.draft(opened.mode, (max(size), max(size)))
            img = ImageOps.exif_transpose(opened)
            if img.mode in ("RGBA", "LA", "P", "PA") and channels == 3:
                # transparent pixels become white, not whatever colour they stored
                rgba = img.convert("RGBA")
                canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                img = Image.alpha_composite(canvas, rgba)
            img = img.convert("RGB" if channels == 3 else "L")
            img = img.resize((size[1], size[0]), Image.Resampling.BILINEAR)
            array = np.asarray(img, dtype=np.uint8)
    except Image.DecompressionBombError as exc:
        raise CnnquizError(
            f"refused: {exc} is more than {MAX_IMAGE_PIXELS:,} (a decompression bomb?)", str(path)
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        reason = (
            "not an image Pillow can read" if isinstance(exc, UnidentifiedImageError) else str(exc)
        )
        raise CnnquizError(f"cannot read image: {reason}", str(path)) from None
    return array[..., None] if array.ndim == 2 else array


def _class_dirs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def _image_files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
    )


def _find(folder: Path, *names: str) -> Path | None:
    for name in names:
        if (folder / name).is_dir():
            return folder / name
    return None


def folder_dataset(
    root: str | Path,
    size: tuple[int, int] = (64, 64),
    channels: int = 3,
    seed: int = 0,
    strict: bool = False,
) -> Dataset:
    """A student's images; see the module docstring for the layouts read.

    Files that cannot be decoded are skipped and listed in ``Dataset.skipped`` (``strict``: the
    first one stops with an error). Class names are the subfolder names, sorted.
    """
    root = Path(root).expanduser()
    if not root.exists():
        raise CnnquizError("no such folder", str(root))
    if not root.is_dir():
        raise CnnquizError("is a file, expected a folder of class subfolders", str(root))
    classes, files = _split_files(root, seed)
    skipped: list[str] = []
    parts = []
    for i, items in enumerate(files):
        images, labels = _decode_split(items, size, channels, strict, skipped)
        if not images and i < 2:
            which = ("train", "validation")[i]
            raise CnnquizError(f"no readable images for {which}", str(root))
        stack = np.stack(images) if images else np.zeros((0, *size, channels), np.uint8)
        parts.append((stack, np.asarray(labels, dtype=np.int64)))
    return _to_dataset(tuple(classes), parts, str(root), skipped)


def _split_files(root: Path, seed: int) -> tuple[list[str], list[list[tuple[Path, int]]]]:
    """The class names and the labelled files of each split: train, validation, maybe test."""
    train_dir = _find(root, "train", "training")
    valid_dir = _find(root, "valid", "validation", "val")
    if train_dir is not None:
        if valid_dir is None:
            raise CnnquizError("has train/ but no valid/ folder beside it", str(root))
        classes = _classes_of(train_dir)
        test_dir = _find(root, "test")
        files = [_labelled(train_dir, classes), _labelled(valid_dir, classes)]
        if test_dir is not None:
            files.append(_labelled(test_dir, classes))
        return classes, files
    classes = _classes_of(root)
    everything = _labelled(root, classes)
    order = np.random.default_rng(seed).permutation(len(everything))
    n_train = int(round(len(everything) * SPLIT_FRACTIONS[0]))
    n_valid = int(round(len(everything) * SPLIT_FRACTIONS[1]))
    shuffled = [everything[i] for i in order]
    return classes, [
        shuffled[:n_train],
        shuffled[n_train : n_train + n_valid],
        shuffled[n_train + n_valid :],
    ]


def _decode_split(
    items: list[tuple[Path, int]],
    size: tuple[int, int],
    channels: int,
    strict: bool,
    skipped: list[str],
) -> tuple[list[np.ndarray], list[int]]:
    """The images that decode and their labels; the others added to ``skipped`` (``strict``:
    the first one raised)."""
    images, labels = [], []
    for (_, label), decoded in zip(items, _decode_all(items, size, channels), strict=True):
        if isinstance(decoded, CnnquizError):
            if strict:
                raise decoded
            skipped.append(str(decoded))
            continue
        images.append(decoded)
        labels.append(label)
    return images, labels


def _decode_all(
    items: list[tuple[Path, int]], size: tuple[int, int], channels: int
) -> list[np.ndarray | CnnquizError]:
    """Decode in threads (Pillow releases the GIL while decoding), keeping the order."""
    from concurrent.futures import ThreadPoolExecutor

    def one(item: tuple[Path, int]) -> np.ndarray | CnnquizError:
        try:
            return decode_image(item[0], size, channels)
        except CnnquizError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        return list(pool.map(one, items))


def _classes_of(folder: Path) -> list[str]:
    dirs = _class_dirs(folder)
    if not dirs:
        loose = _image_files(folder)
        hint = f" (found {len(loose)} loose images)" if loose else ""
        raise CnnquizError(
            f"has no class subfolders: expected one subfolder per class{hint}", str(folder)
        )
    with_images = [d.name for d in dirs if _image_files(d)]
    if not with_images:
        raise CnnquizError("has class subfolders but no images in them", str(folder))
    if len(with_images) < 2:
        raise CnnquizError(
            f"needs at least 2 classes with images, found only {with_images[0]!r}", str(folder)
        )
    return with_images


def _labelled(folder: Path, classes: list[str]) -> list[tuple[Path, int]]:
    if not folder.is_dir():
        return []
    out: list[tuple[Path, int]] = []
    for index, name in enumerate(classes):
        if (folder / name).is_dir():
            out.extend((p, index) for p in _image_files(folder / name))
    return out


# --------------------------------------------------------------------------------------------


def _to_dataset(
    classes: tuple[str, ...],
    parts: list[tuple[np.ndarray, np.ndarray]],
    source: str,
    skipped: list[str],
) -> Dataset:
    """uint8 NHWC arrays → normalised float32 NCHW tensors, statistics from the training split."""
    import torch

    def nchw(images: np.ndarray) -> Any:
        return torch.from_numpy(images).permute(0, 3, 1, 2).float().div_(255)

    train = nchw(parts[0][0])
    mean = train.mean(dim=(0, 2, 3))
    std = train.std(dim=(0, 2, 3)).clamp_min(1e-3)

    def convert(x: Any, labels: np.ndarray) -> Split:
        x = x.sub_(mean[:, None, None]).div_(std[:, None, None]).contiguous()
        return Split(x, torch.from_numpy(labels))

    splits = [convert(train, parts[0][1])] + [convert(nchw(p[0]), p[1]) for p in parts[1:]]
    test = splits[2] if len(splits) > 2 and len(splits[2]) else None
    return Dataset(
        classes,
        splits[0],
        splits[1],
        test,
        tuple(mean.tolist()),
        tuple(std.tolist()),
        source,
        skipped,
    )


def normalise(image: np.ndarray, mean: tuple[float, ...], std: tuple[float, ...]) -> Any:
    """One uint8 H x W x C image → a 1 x C x H x W tensor normalised as the training data was."""
    import torch

    x = (image.astype(np.float32) / 255 - np.asarray(mean, np.float32)) / np.asarray(
        std, np.float32
    )
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))[None]
