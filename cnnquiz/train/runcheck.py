"""A run folder read as what it is: input from someone else, checked before anything is built.

A run folder can come from a classmate, a forum or an attacker. Its ``config.yaml`` could ask
for a dense layer of 10^8 units (307 GB of weights), its ``run.json`` for a standard deviation
of 0 (every pixel divided by zero), its weights file could be a pipe that never ends. So
``predict`` checks, without torch and before allocating anything the files do not already
hold:

- ``run.json``: a regular file under a size cap, a JSON object; class names a list of short
  strings; mean and standard deviation one finite number per channel, the deviations above 0.
  Errors name the file and the line of the key.
- ``config.yaml``: read through ``yamlio`` (which caps its size and alias expansion), a network
  reading images of a sane size, giving one output per class, whose layer outputs for one image
  (all kept for Grad-CAM's backward) fit in ``PREDICT_RAM_CAP``.
- ``weights.safetensors``: only its header is read (a length and a JSON table of tensors); the
  values it holds must equal the parameter count the arithmetic derives from the config, so a
  network is built only when the file itself holds every one of its weights.

Class names are kept as written (a script reading ``--json`` gets them exactly); the faces
print them through ``textsafe.printable`` and as plain text, never as Rich markup.
"""

from __future__ import annotations

import json
import math
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnnquiz import yamlio
from cnnquiz.errors import CnnquizError
from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.layers import BatchNorm
from cnnquiz.net.memory import training_ram
from cnnquiz.net.spec import Network, load_network
from cnnquiz.net.units import fmt_int, fmt_mb
from cnnquiz.train.runs import CONFIG, RUN_FILE, read_json

HEADER_CAP = 10_000_000  # bytes of a safetensors header: about 100,000 tensors
MAX_CLASSES = 10_000
MAX_CLASS_NAME = 200  # characters
MAX_SIDE = 4096  # pixels of the network's input, height or width
PREDICT_RAM_CAP = 2_000_000_000  # bytes for one image: its layer outputs, kept for Grad-CAM
DTYPE_BYTES = {
    "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1,
    "U16": 2, "U32": 4, "U64": 8, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1,
}  # fmt: skip


@dataclass(frozen=True)
class RunInputs:
    """What ``predict`` needs from a run folder, checked."""

    network: Network
    classes: list[str]
    mean: tuple[float, ...]
    std: tuple[float, ...]


def key_line(path: Path, text: str, key: str) -> str:
    """``path:line`` of the first ``"key":`` in ``text``, else ``path``."""
    found = re.search(rf'"{re.escape(key)}"\s*:', text)
    return f"{path}:{text.count(chr(10), 0, found.start()) + 1}" if found else str(path)


def check_info(info: Any, path: Path, text: str, channels: int) -> tuple[list[str], tuple, tuple]:
    """Class names, mean and standard deviation from ``run.json``, checked."""
    if not isinstance(info, dict):
        raise CnnquizError("expected a JSON object", str(path))
    classes = info.get("classes")
    where = key_line(path, text, "classes")
    if not isinstance(classes, list) or not classes or len(classes) > MAX_CLASSES:
        raise CnnquizError(
            f"classes must be a list of 1 to {fmt_int(MAX_CLASSES)} names", where
        )
    for name in classes:
        if not isinstance(name, str) or not name or len(name) > MAX_CLASS_NAME:
            raise CnnquizError(
                f"every class name must be text of 1 to {MAX_CLASS_NAME} characters, "
                f"got {_short(name)}",
                where,
            )
    stats = []
    for key in ("mean", "std"):
        values = info.get(key)
        where = key_line(path, text, key)
        if not isinstance(values, list) or len(values) != channels:
            raise CnnquizError(
                f"{key} must be a list of {channels} numbers (one per channel of the "
                f"network's input), got {_short(values)}",
                where,
            )
        for v in values:
            number = isinstance(v, int | float) and not isinstance(v, bool)
            if not number or not math.isfinite(v) or (key == "std" and v <= 0):
                need = "positive finite numbers" if key == "std" else "finite numbers"
                why = " (images are divided by it)" if key == "std" else ""
                raise CnnquizError(f"{key} must be {need}{why}, got {_short(values)}", where)
        stats.append(tuple(float(v) for v in values))
    return list(classes), stats[0], stats[1]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def weights_header(file: Path) -> dict[str, tuple[str, tuple[int, ...]]]:
    """Tensor name → (dtype, shape) from a safetensors file's header, checked against its size.

    The format: 8 bytes little-endian header length, a JSON object of tensors with their dtype,
    shape and byte offsets, then the data. Only the header is read.
    """
    size = yamlio.file_size(file, "a weights file", cap=1 << 62)
    table, length = _header_table(file, size)
    tensors = {}
    for name, entry in table.items():
        if name == "__metadata__":
            continue
        try:
            tensors[name] = _tensor(entry, size - 8 - length)
        except (KeyError, TypeError, ValueError):
            why = f"tensor {_short(name)} is not described as the format says"
            raise _not_safetensors(file, why) from None
    return tensors


def _not_safetensors(file: Path, why: str) -> CnnquizError:
    return CnnquizError(
        f"not a safetensors checkpoint ({why}); cnnquiz reads only safetensors weights, "
        "never pickle files, which can run code",
        str(file),
    )


def _header_table(file: Path, size: int) -> tuple[dict[str, Any], int]:
    """The header's JSON table and its length in bytes, read only when the file can hold it."""
    try:
        with file.open("rb") as f:
            head = f.read(8)
            if len(head) < 8:
                raise _not_safetensors(file, "shorter than its header")
            (length,) = struct.unpack("<Q", head)
            if length > min(HEADER_CAP, size - 8):
                raise _not_safetensors(
                    file, f"a header of {fmt_int(length)} bytes in a file of {fmt_int(size)}"
                )
            table = json.loads(f.read(length).decode("utf-8"))
    except OSError as exc:
        raise CnnquizError(f"cannot read the weights: {exc.strerror or exc}", str(file)) from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise _not_safetensors(file, "its header is not JSON") from None
    if not isinstance(table, dict):
        raise _not_safetensors(file, "its header is not a table of tensors")
    return table, length


def _tensor(entry: Any, data: int) -> tuple[str, tuple[int, ...]]:
    """One tensor's dtype and shape; ValueError (or KeyError, TypeError) when its entry is not
    as the format says or its bytes do not lie within the ``data`` bytes after the header."""
    dtype, shape, (start, end) = entry["dtype"], entry["shape"], entry["data_offsets"]
    if dtype not in DTYPE_BYTES or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise ValueError
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= data):
        raise ValueError
    if math.prod(shape) * DTYPE_BYTES[dtype] != end - start:
        raise ValueError
    return dtype, tuple(shape)


def check_network(network: Network, n_classes: int, config: Path) -> None:
    """The network of ``config.yaml`` reads images of a sane size, gives one output per class,
    and classifies one image within ``PREDICT_RAM_CAP`` (all by arithmetic, no torch)."""
    where = str(config)
    if not network.input.is_image:
        raise CnnquizError(f"the network's input {network.input} is not an image", where)
    h, w, _ = network.input.dims
    if h > MAX_SIDE or w > MAX_SIDE:
        raise CnnquizError(
            f"the network's input {network.input} is larger than {MAX_SIDE} pixels a side, "
            "the most predict accepts",
            where,
        )
    figures = analyze(network)
    if figures.output_shape.dims != (n_classes,):
        raise CnnquizError(
            f"the network gives {figures.output_shape} outputs but run.json names "
            f"{n_classes} classes",
            where,
        )
    # one image with every layer output kept (Grad-CAM's backward); the parameters are
    # bounded by the weights file, which must hold them all (check_weights)
    ram = training_ram(figures, 1)
    needed = ram.outputs_bytes + ram.inputs_bytes
    if needed > PREDICT_RAM_CAP:
        raise CnnquizError(
            f"the network's layer outputs take about {fmt_mb(needed)} for one image (kept for "
            f"Grad-CAM), more than the {fmt_mb(PREDICT_RAM_CAP)} predict allows",
            where,
        )


def check_weights(network: Network, file: Path, config: Path) -> None:
    """The weights file holds exactly the values the network has, before it is built.

    The arithmetic counts every stored value (batch norm's moving statistics included); torch
    adds one integer per batch norm, its batch counter.
    """
    tensors = weights_header(file)
    held = sum(math.prod(shape) for _, shape in tensors.values())
    needed = analyze(network).params + sum(isinstance(x, BatchNorm) for x in network.layers)
    if held != needed:
        raise CnnquizError(
            f"the weights hold {fmt_int(held)} values but the network of {config.name} has "
            f"{fmt_int(needed)}; they are not this network's weights",
            str(file),
        )


def check_run(folder: Path) -> RunInputs:
    """``run.json`` and ``config.yaml`` of the run in ``folder``, checked (the weights apart:
    the app predicts with the model it has just trained)."""
    config = folder / CONFIG
    network = load_network(config)
    info, text = read_json(folder / RUN_FILE, "run file")
    channels = network.input.dims[-1] if network.input.is_image else 0
    if not network.input.is_image:
        raise CnnquizError(f"the network's input {network.input} is not an image", str(config))
    classes, mean, std = check_info(info, folder / RUN_FILE, text, channels)
    check_network(network, len(classes), config)
    return RunInputs(network, classes, mean, std)
