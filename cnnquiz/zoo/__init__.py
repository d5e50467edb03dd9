"""The zoo: the architectures students are examined on, as bundled specs whose figures are proven.

Each network is a YAML spec beside this module (``resnet18.yaml``), written the way the paper or
the library that published its parameter count builds it, and listed in ``ZOO`` with that count
and where it is published. The tests hold every file to its number (trainable parameters, as
torch's ``sum(p.numel())`` counts them) and build it in torch, so a student who asks
``cnnquiz calc model resnet18`` gets figures that are checked, not copied.

Pure: reading a spec only needs :mod:`cnnquiz.net`; nothing here imports torch or a face.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from cnnquiz.errors import SpecError
from cnnquiz.limits import number_text
from cnnquiz.net.network import Network
from cnnquiz.net.spec import load_network
from cnnquiz.paths import on_disk

HERE = Path(__file__).resolve().parent
"""Where the zoo's YAML files are, in a checkout and in an installed wheel alike."""


@dataclass(frozen=True)
class Entry:
    """One zoo network: its name (the file's stem), its published trainable parameter count and
    where that count is published, so the list can say what each figure is checked against."""

    name: str
    published: int
    source: str


ZOO: tuple[Entry, ...] = (
    Entry("lenet5", 61_706, "LeCun et al. 1998, as rebuilt in Keras and PyTorch"),
    Entry("alexnet", 61_100_840, "torchvision alexnet"),
    Entry("vgg16", 138_357_544, "Keras and torchvision vgg16"),
    Entry("googlenet", 6_624_904, "torchvision googlenet, no auxiliary heads"),
    Entry("resnet18", 11_689_512, "torchvision resnet18"),
    Entry("resnet50", 25_557_032, "torchvision resnet50"),
    Entry("se_block", 78_864, "Hu et al. 2018: 2C²/r + C/r + C on ResNet-50's bottleneck"),
    Entry("mobilenet_v1", 4_231_976, "Keras MobileNet, trainable of 4,253,864"),
    Entry("mobilenet_v2", 3_504_872, "torchvision mobilenet_v2"),
    Entry("worked", 903_400, "the course notes' worked example (Geron, ch. 14)"),
    Entry("tf_cnn", 122_570, "TensorFlow's CNN tutorial, model.summary()"),
    Entry("car_truck", 291_405, "Kaggle Learn Computer Vision, Custom Convnets (Keras's count)"),
)
"""In the order the course meets them: the classic architectures by year, then its own."""

_BY_NAME = {entry.name: entry for entry in ZOO}


def names() -> tuple[str, ...]:
    """The zoo's names, as ``cnnquiz calc model NAME`` takes them."""
    return tuple(_BY_NAME)


def entry(name: str) -> Entry:
    """The zoo entry called ``name``; an unknown name is refused with the closest one."""
    found = _BY_NAME.get(name)
    if found is None:
        raise SpecError(_unknown(name))
    return found


def path(name: str) -> Path:
    """The YAML file of the zoo network ``name``."""
    return HERE / f"{entry(name).name}.yaml"


def load(name: str) -> Network:
    """The zoo network ``name``, parsed; errors name its file and line, as for any spec."""
    return load_network(path(name))


def resolve(arg: str, where: str | None = None) -> Network:
    """What a student typed where a network goes: a zoo name, else a spec file's path.

    A name of the zoo wins over a file of that name in the current folder (``resnet18`` has no
    suffix, so no spec file is called that by accident); anything that names a file is read as
    one; anything else is refused naming ``arg``, with the closest zoo name and the list
    (``where``: the argument's place, as the command line names it).
    """
    if arg in _BY_NAME:
        return load(arg)
    if Path(arg).suffix.lower() in (".yaml", ".yml") or on_disk(arg):
        return load_network(arg)
    raise SpecError(_unknown(arg), where)


def _unknown(arg: str) -> str:
    close = difflib.get_close_matches(arg.lower(), list(_BY_NAME), n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return (
        f"no zoo network or spec file named {number_text(arg)}{hint}; "
        f"the zoo has {', '.join(_BY_NAME)}"
    )
