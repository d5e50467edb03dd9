"""Class probabilities for one image from a saved run, and its Grad-CAM map.

The image goes through exactly what the training images went through: EXIF orientation, RGB
(or grey), resized to the network's input, normalised with the training set's mean and
standard deviation saved in the run. Imports torch inside the functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cnnquiz.errors import CnnquizError
from cnnquiz.train import runcheck, runs
from cnnquiz.train.data import decode_image, normalise


@dataclass
class Prediction:
    classes: list[str]
    probabilities: list[float]  # softmax of the logits, one per class, summing to 1
    cam: np.ndarray | None  # Grad-CAM of the top class, input-sized, 0..1; None if not asked

    @property
    def best(self) -> int:
        return int(np.argmax(self.probabilities))

    @property
    def label(self) -> str:
        return self.classes[self.best]


def load_model(run: runs.Run, checked: runcheck.RunInputs | None = None) -> Any:
    """The run's network with its trained weights, in eval mode (safetensors only).

    Built only once the weights file is known to hold every value of the network
    (``runcheck``): a config.yaml asking for 307 GB is refused before torch allocates a byte.
    """
    import torch

    from cnnquiz.torchcheck.build import to_module

    checked = checked or runcheck.check_run(run.path)
    file = runs.weights_file(run)
    runcheck.check_weights(checked.network, file, run.path / runs.CONFIG)
    with torch.device("cpu"):
        model = to_module(checked.network)
    runs.load_weights(model, file)
    return model.eval()


def predict(
    run: runs.Run, image_path: str | Path, gradcam: bool = False, model: Any = None
) -> Prediction:
    """Probabilities of every class for the image at ``image_path``; Grad-CAM of the top class."""
    import torch

    path = Path(image_path).expanduser()
    if not path.is_file():
        raise CnnquizError(
            "no such image" if not path.exists() else "is not a file", str(image_path)
        )
    checked = runcheck.check_run(run.path)
    network, classes, mean, std = checked.network, checked.classes, checked.mean, checked.std
    h, w, c = network.input.dims
    model = model if model is not None else load_model(run, checked)
    device = next(
        model.parameters()
    ).device  # the app passes the model it just trained (maybe CUDA)
    x = normalise(decode_image(path, (h, w), c), mean, std).to(device)
    from cnnquiz.train.loop import logits_of

    with torch.no_grad():
        logits = logits_of(model, network)(x)
    probs = torch.softmax(logits[0], dim=0).tolist()
    if len(probs) != len(classes):
        raise CnnquizError(
            f"the network gives {len(probs)} outputs for {len(classes)} classes", str(run.path)
        )
    cam = None
    if gradcam:
        from cnnquiz.train.gradcam import grad_cam

        cam = grad_cam(model, network, x, int(np.argmax(probs)))
    return Prediction(classes, probs, cam)


def original_image(path: str | Path, max_side: int = 512) -> Any:
    """The image as the student sees it (EXIF-rotated, RGB), at most ``max_side`` pixels wide or high."""
    from PIL import Image, ImageOps

    with Image.open(path) as opened:
        img = ImageOps.exif_transpose(opened).convert("RGB")
    img.thumbnail((max_side, max_side))
    return img
