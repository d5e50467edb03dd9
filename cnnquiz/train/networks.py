"""The demo's two specs, and fitting a spec to the data it will train on.

The specs are the text of ``examples/demo.yaml`` and ``examples/dense-baseline.yaml`` (a test
keeps them equal), kept here as well so an installed cnnquiz needs no files beside it.
"""

from __future__ import annotations

from dataclasses import replace

from cnnquiz import yamlio
from cnnquiz.errors import CnnquizError
from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.layers import Activation, Dense
from cnnquiz.net.network import Network, Shape
from cnnquiz.net.spec import parse_network

DEMO_SPEC = """\
# The default CNN of `cnnquiz train --demo`: four shape classes on 32x32 RGB images.
# Batch norm after each convolution lets the first kernels find edges of any colour contrast;
# global average pooling makes the answer the same wherever the shape sits.
name: demo-cnn
input: 32x32x3
layers:
  - conv: {filters: 16, kernel: 3, padding: same}
  - batchnorm: {}
  - relu: {}
  - maxpool: {size: 2}
  - conv: {filters: 32, kernel: 3, padding: same}
  - batchnorm: {}
  - relu: {}
  - maxpool: {size: 2}
  - conv: {filters: 64, kernel: 3, padding: same}
  - batchnorm: {}
  - relu: {}
  - gap: {}
  - dense: {units: 4, activation: softmax}
train:
  epochs: 10         # passes over the 6,000 training images
  batch: 64          # images per step
  lr: 0.003          # Adam's step size at the start; cosine decay to 0
  optimizer: adam
  schedule: cosine
"""

DENSE_SPEC = """\
# The dense baseline of `cnnquiz train --demo --compare-dense`: about as many parameters as
# demo.yaml (24,620 against 24,292), but every weight belongs to one pixel position, so a
# shape must be learnt again at every place it can appear.
name: dense-baseline
input: 32x32x3
layers:
  - flatten: {}
  - dense: {units: 8, activation: relu}
  - dense: {units: 4, activation: softmax}
train:
  epochs: 10
  batch: 64
  lr: 0.003
  optimizer: adam
  schedule: cosine
"""


def demo_network() -> Network:
    return parse_network(yamlio.loads(DEMO_SPEC, "demo.yaml"), "demo.yaml")


def dense_network(hidden: int | None = None) -> Network:
    """``DENSE_SPEC``; ``hidden``: its hidden layer's units instead of 8 (``run.dense_plan``
    sizes it to the network it is compared with)."""
    network = parse_network(yamlio.loads(DENSE_SPEC, "dense-baseline.yaml"), "dense-baseline.yaml")
    flatten, dense, out = network.layers
    if hidden is None or not isinstance(dense, Dense):
        return network
    return replace(network, layers=(flatten, replace(dense, units=hidden), out))


def ends_in_softmax(network: Network) -> bool:
    """Whether the spec's last layer applies softmax (training drops it: cross-entropy wants logits)."""
    last = network.layers[-1] if network.layers else None
    return (isinstance(last, Dense) and last.activation == "softmax") or (
        isinstance(last, Activation) and last.name == "softmax"
    )


def fit_to_data(
    network: Network, image_shape: tuple[int, int, int], n_classes: int, adapt_output: bool = False
) -> Network:
    """The network reading ``image_shape`` (H, W, C) images and giving ``n_classes`` outputs.

    The input is replaced by the data's shape (a network ending in global pooling works at any
    size; one with flatten changes its parameter count, which the summary then shows). The
    output must match the classes; ``adapt_output`` (the built-in default network on a
    student's folder) resizes the last dense layer instead of refusing.
    """
    network = replace(network, input=Shape(image_shape))
    where = network.source or "network"
    out = analyze(network).output_shape
    if out.dims == (n_classes,):
        return network
    last = network.layers[-1] if network.layers else None
    if adapt_output and isinstance(last, Dense):
        return replace(network, layers=(*network.layers[:-1], replace(last, units=n_classes)))
    raise CnnquizError(
        f"the network gives {out} outputs but the data has {n_classes} classes; make the last "
        f"layer dense with {n_classes} units",
        where,
    )
