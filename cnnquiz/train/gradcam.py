"""Grad-CAM: which part of the image made the network choose a class.

The course notes promise it ("we use Grad-CAM later to solve this mystery"). Take the feature
maps A_k of the last convolution (with the batch norm and activation that follow it, as Keras
writes a conv layer with its activation), the gradient of the class score y_c with respect to
them, and weight each map by its gradient averaged over the positions:

    L = ReLU(sum_k a_k A_k),  a_k = mean over (i, j) of dy_c / dA_k(i, j)

then scale to 0..1 and upsample to the input's size. Imports torch inside the functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cnnquiz.net.layers import Activation, BatchNorm, Conv, Dropout
from cnnquiz.net.network import Network

# Colour stops of the heatmap, low to high: dark blue, blue, cyan, yellow, red.
_STOPS = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
_COLOURS = np.array([[0, 0, 120], [0, 80, 255], [0, 230, 230], [255, 230, 0], [220, 20, 0]], float)


def cam_layer_index(network: Network) -> int | None:
    """Index of the module whose output Grad-CAM reads: the last conv, or the batch norm,
    activation or dropout right after it (same positions, more meaning). None without a conv."""
    last = None
    for i, layer in enumerate(network.layers):
        if isinstance(layer, Conv):
            last = i
    if last is None:
        return None
    while last + 1 < len(network.layers) and isinstance(
        network.layers[last + 1], BatchNorm | Activation | Dropout
    ):
        last += 1
    return last


def grad_cam(model: Any, network: Network, x: Any, class_index: int) -> np.ndarray:
    """The Grad-CAM map (H x W of the input, values 0..1) of ``class_index`` for one image ``x``.

    ``model`` is ``bridge.to_module(network)`` (softmax included or not: the score used is the
    logit before any softmax, as the paper does). A network without convolutions has no map.
    """
    import torch
    import torch.nn.functional as F

    from cnnquiz.train.loop import logits_of

    index = cam_layer_index(network)
    if index is None:
        from cnnquiz.errors import CnnquizError

        raise CnnquizError("Grad-CAM needs a convolution layer; this network has none", "--gradcam")
    net = logits_of(model, network).eval()
    kept: dict[str, Any] = {}

    def hook(_module: Any, _args: Any, output: Any) -> None:
        kept["maps"] = output

    handle = net[index].register_forward_hook(hook)
    try:
        with torch.enable_grad():
            logits = net(x)
            maps = kept["maps"]
            (grads,) = torch.autograd.grad(logits[0, class_index], maps)
    finally:
        handle.remove()
    weights = grads.mean(dim=(2, 3), keepdim=True)
    cam = F.relu((weights * maps).sum(dim=1, keepdim=True)).detach()
    cam = F.interpolate(cam, size=x.shape[2:], mode="bilinear", align_corners=False)[0, 0]
    top = float(cam.max())
    return (cam / top).cpu().numpy() if top > 0 else np.zeros(tuple(x.shape[2:]), np.float32)


def colormap(values: np.ndarray) -> np.ndarray:
    """Values 0..1 → uint8 RGB colours (last axis), blue for cold to red for hot."""
    v = np.clip(np.asarray(values, dtype=float), 0, 1)
    channels = [np.interp(v, _STOPS, _COLOURS[:, c]) for c in range(3)]
    return np.stack(channels, axis=-1).round().astype(np.uint8)


def overlay(image: Any, cam: np.ndarray, alpha: float = 0.5) -> Any:
    """The image (PIL, any size) with the heatmap blended over it: a PIL RGB image."""
    from PIL import Image

    base = image.convert("RGB")
    heat = Image.fromarray((np.clip(cam, 0, 1) * 255).astype(np.uint8), "L")
    heat = heat.resize(base.size, Image.Resampling.BILINEAR)
    coloured = Image.fromarray(colormap(np.asarray(heat, dtype=float) / 255), "RGB")
    return Image.blend(base, coloured, alpha)


def terminal_values(cam: np.ndarray, width: int = 32) -> np.ndarray:
    """The map shrunk to ``width`` columns and half as many rows as its aspect asks (a text
    character is about twice as high as wide): values 0..1, one per character."""
    from PIL import Image

    h, w = cam.shape
    height = max(1, round(width * h / w / 2))
    small = Image.fromarray((np.clip(cam, 0, 1) * 255).astype(np.uint8), "L").resize(
        (width, height), Image.Resampling.BOX
    )
    return np.asarray(small, dtype=float) / 255


def terminal_rows(
    cam: np.ndarray, width: int = 32
) -> list[list[tuple[tuple[int, ...], tuple[int, ...]]]]:
    """The map shrunk to ``width`` columns, as rows of (top colour, bottom colour) pairs.

    A face draws each pair as one half-block character ``▀``: the top pixel in the foreground
    colour, the bottom one in the background colour, so one text row shows two pixel rows.
    """
    from PIL import Image

    h, w = cam.shape
    height = max(2, round(width * h / w / 2) * 2)  # even: two pixel rows per text row
    small = Image.fromarray((np.clip(cam, 0, 1) * 255).astype(np.uint8), "L").resize(
        (width, height), Image.Resampling.BILINEAR
    )
    colours = colormap(np.asarray(small, dtype=float) / 255)
    return [
        [
            (tuple(int(c) for c in colours[r, x]), tuple(int(c) for c in colours[r + 1, x]))
            for x in range(width)
        ]
        for r in range(0, height, 2)
    ]
