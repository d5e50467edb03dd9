"""The training data: the embedded shapes and the student's image folders."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from cnnquiz.errors import CnnquizError
from cnnquiz.train import data


def test_shapes_are_deterministic_by_seed_and_rgb():
    a, la = data.shape_images(64, 32, seed=3)
    b, lb = data.shape_images(64, 32, seed=3)
    c, _ = data.shape_images(64, 32, seed=4)
    assert a.shape == (64, 32, 32, 3) and a.dtype == np.uint8
    assert np.array_equal(a, b) and np.array_equal(la, lb)
    assert not np.array_equal(a, c)
    assert set(la.tolist()) <= {0, 1, 2, 3}


@pytest.mark.slow  # generates the demo data set
def test_every_class_appears_and_colour_carries_no_signal():
    images, labels = data.shape_images(4000, 32, seed=0)
    counts = np.bincount(labels, minlength=4)
    assert counts.min() > 900  # about 1,000 of each of the 4 classes
    # the mean colour of each class is the same grey-ish average: colour tells nothing
    means = np.stack([images[labels == k].mean(axis=(0, 1, 2)) for k in range(4)])
    assert np.ptp(means, axis=0).max() < 12  # of 255; sampling noise alone gives about 8


def test_shapes_move_and_change_size():
    images, labels = data.shape_images(400, 32, seed=1)
    # the shape differs from the background: its pixels are where the image is far from its corner
    far = np.abs(images.astype(int) - images[:, :1, :1].astype(int)).sum(-1) > 120
    rows = [np.nonzero(m.any(1))[0] for m in far if m.any()]
    tops = [r[0] for r in rows]
    heights = [r[-1] - r[0] + 1 for r in rows]
    assert max(tops) - min(tops) >= 12  # positions vary over much of the 32 pixels
    assert max(heights) - min(heights) >= 6  # so do sizes


def test_demo_dataset_splits_and_normalises():
    d = data.demo_dataset(seed=0, split=(200, 50, 40))
    assert (len(d.train), len(d.valid), len(d.test)) == (200, 50, 40)
    assert d.train.x.shape == (200, 3, 32, 32) and d.image_shape == (32, 32, 3)
    assert d.classes == ("circle", "square", "triangle", "cross")
    assert abs(float(d.train.x.mean())) < 0.05 and abs(float(d.train.x.std()) - 1) < 0.05
    assert all(0.3 < m < 0.7 for m in d.mean)


def _save(path, image, **kw):
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, **kw)


def make_folder(root, per_class=6, layout="keras"):
    """Two classes (red squares, blue circles), a corrupt file and a grayscale image."""
    for split in ("train", "valid", "test") if layout == "keras" else ("",):
        for i in range(per_class):
            for name, colour in (("car", (220, 30, 30)), ("truck", (30, 30, 220))):
                img = Image.new("RGB", (40, 30), colour)
                _save(root / split / name / f"{i}.png", img)
    first = "train" if layout == "keras" else ""
    (root / first / "car" / "broken.jpg").write_bytes(b"\xff\xd8 this is not a jpeg")
    _save(root / first / "truck" / "grey.png", Image.new("L", (20, 20), 90))
    return root


def test_keras_layout_with_a_corrupt_and_a_grayscale_file(tmp_path):
    root = make_folder(tmp_path / "cars")
    d = data.folder_dataset(root, (16, 16), seed=0)
    assert d.classes == ("car", "truck")
    assert (len(d.train), len(d.valid), len(d.test)) == (13, 12, 12)  # 12 + grey; broken skipped
    assert d.train.x.shape == (13, 3, 16, 16)
    assert len(d.skipped) == 1 and "broken.jpg" in d.skipped[0]


def test_strict_stops_at_the_corrupt_file(tmp_path):
    root = make_folder(tmp_path / "cars")
    with pytest.raises(CnnquizError, match="broken.jpg"):
        data.folder_dataset(root, (16, 16), strict=True)


def test_single_folder_is_split_70_15_15_by_seed(tmp_path):
    root = make_folder(tmp_path / "flat", per_class=10, layout="flat")
    d = data.folder_dataset(root, (8, 8), seed=0)
    total = len(d.train) + len(d.valid) + len(d.test)
    assert total == 21  # 20 + grey, broken skipped
    # 22 files: 15 train, 3 validation, 4 test (70/15/15 rounded), less the broken one
    sizes = (len(d.train), len(d.valid), len(d.test))
    assert sizes in {(14, 3, 4), (15, 2, 4), (15, 3, 3)}
    again = data.folder_dataset(root, (8, 8), seed=0)
    assert np.array_equal(d.valid.y.numpy(), again.valid.y.numpy())


def test_exif_orientation_is_applied(tmp_path):
    img = Image.new("RGB", (20, 10), (255, 0, 0))
    img.paste((0, 0, 255), (10, 0, 20, 10))  # left red, right blue
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to display
    path = tmp_path / "rotated.jpg"
    img.save(path, exif=exif, quality=95)
    array = data.decode_image(path, (20, 20))
    assert array[2, 10, 0] > 200 and array[2, 10, 2] < 60  # top is red
    assert array[17, 10, 2] > 200 and array[17, 10, 0] < 60  # bottom is blue


def test_any_mode_becomes_rgb_and_transparency_white(tmp_path):
    path = tmp_path / "clear.png"
    Image.new("RGBA", (8, 8), (0, 0, 0, 0)).save(path)
    assert data.decode_image(path, (4, 4)).tolist() == [[[255, 255, 255]] * 4] * 4
    grey = tmp_path / "grey.png"
    Image.new("L", (8, 8), 77).save(grey)
    assert data.decode_image(grey, (4, 4))[0, 0].tolist() == [77, 77, 77]
    assert data.decode_image(grey, (4, 4), channels=1).shape == (4, 4, 1)


def test_decompression_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.png"
    Image.new("1", (8000, 8000)).save(path)  # 64 million pixels in a few kilobytes
    assert path.stat().st_size < 200_000
    with pytest.raises(CnnquizError, match="decompression bomb"):
        data.decode_image(path, (16, 16))


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, "no such folder"),
        (lambda p: p.mkdir(), "no class subfolders"),
        (lambda p: (p / "a").mkdir(parents=True), "no images"),
        (lambda p: _save(p / "x.png", Image.new("RGB", (4, 4))), "1 loose images"),
        (lambda p: (p / "train" / "a").mkdir(parents=True), "no valid/"),
    ],
)
def test_folder_errors_are_one_line(tmp_path, setup, message):
    root = tmp_path / "data"
    setup(root)
    with pytest.raises(CnnquizError, match=message) as err:
        data.folder_dataset(root, (8, 8))
    assert "\n" not in str(err.value) and str(root) in str(err.value)
