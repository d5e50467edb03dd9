"""The Keras reader on real published code, and on code it must refuse (never run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnnquiz.code import read_code
from cnnquiz.errors import SpecError
from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.network import Network, Shape
from cnnquiz.net.spec import parse_network
from cnnquiz.yamlio import loads

FIXTURES = Path(__file__).parent.parent / "fixtures" / "code"


def _read(name: str, input_shape: Shape | None = None):
    return read_code((FIXTURES / name).read_text(), name, input_shape)


def _params(network: Network) -> int:
    return analyze(network).params


@pytest.mark.parametrize(
    ("fixture", "params", "what"),
    [
        ("keras_mnist_convnet.py", 34_826, "Keras Sequential at keras_mnist_convnet.py:52, 7 layers; passed over, not the model (never run): lines 31, 34-35, 37-41, 45-46, 76, 82-84"),
        ("keras_tf_cnn_tutorial.py", 122_570, "Keras Sequential at keras_tf_cnn_tutorial.py:11, 8 layers"),
        (
            "keras_car_truck.py",
            291_405,
            "Keras Sequential at keras_car_truck.py:12, 9 layers; skipped: RandomFlip, RandomContrast, "
            "RandomRotation (no parameters, shape kept)",
        ),
        ("keras_residual_block.py", 223_242, "Keras functional Model at keras_residual_block.py:28, 14 layers"),
    ],
)
def test_published_code_gives_its_published_count(fixture: str, params: int, what: str) -> None:
    read = _read(fixture)
    assert read.framework == "Keras"
    assert read.what == what
    assert _params(read.network) == params


def test_the_car_truck_code_is_the_zoo_model() -> None:
    from cnnquiz.zoo import load

    zoo = load("car_truck")
    read = _read("keras_car_truck.py").network
    assert read.input == zoo.input
    assert read.layers == zoo.layers
    assert read.layers[0].where == "keras_car_truck.py:21"


def test_the_functional_residual_block_equals_the_same_graph_in_yaml() -> None:
    spec = """
input: 32x32x3
layers:
  - conv: {filters: 32, kernel: 3, activation: relu}
  - conv: {filters: 64, kernel: 3, activation: relu}
  - maxpool: {size: 3}
    name: block1
  - conv: {filters: 64, kernel: 3, padding: same, activation: relu}
  - conv: {filters: 64, kernel: 3, padding: same, activation: relu}
  - add: {}
    from: [-1, block1]
    name: block2
  - conv: {filters: 64, kernel: 3, padding: same, activation: relu}
  - conv: {filters: 64, kernel: 3, padding: same, activation: relu}
  - add: {}
    from: [-1, block2]
  - conv: {filters: 64, kernel: 3, activation: relu}
  - gap: {}
  - dense: {units: 256, activation: relu}
  - dropout: {rate: 0.5}
  - dense: {units: 10}
"""
    yaml_net = parse_network(loads(spec, "block.yaml"), "block.yaml")
    code_net = _read("keras_residual_block.py").network
    assert code_net.is_graph
    assert code_net.layers == yaml_net.layers
    assert code_net.inputs == yaml_net.inputs
    code_figures, yaml_figures = analyze(code_net), analyze(yaml_net)
    assert code_figures.params == yaml_figures.params == 223_242
    assert [f.output_shape for f in code_figures.layers] == [f.output_shape for f in yaml_figures.layers]
    assert [f.macs for f in code_figures.layers] == [f.macs for f in yaml_figures.layers]


def test_an_input_given_replaces_the_codes() -> None:
    read = _read("keras_mnist_convnet.py", Shape((32, 32, 1)))
    assert read.network.input == Shape((32, 32, 1))


KERAS_HEAD = "import keras\nfrom keras import layers\n"


def _code(body: str, input_shape: Shape | None = None) -> Network:
    return read_code(KERAS_HEAD + body, "model.py", input_shape).network


def test_spellings_and_defaults() -> None:
    net = _code(
        "import tensorflow as tf\n"
        "from keras.layers import Conv2D\n"
        "model = keras.Sequential([\n"
        "    Conv2D(8, 3, input_shape=(16, 16, 3)),\n"
        "    tf.keras.layers.DepthwiseConv2D(3, padding='same', depth_multiplier=2),\n"
        "    keras.layers.SeparableConv2D(16, (1, 3), strides=2, use_bias=False),\n"
        "    layers.BatchNormalization(),\n"
        "    layers.LeakyReLU(alpha=0.1),\n"
        "    layers.ReLU(max_value=6),\n"
        "    layers.ZeroPadding2D(((1, 0), (2, 3))),\n"
        "    layers.AvgPool2D(2, strides=1),\n"
        "    layers.GlobalMaxPooling2D(),\n"
        "    layers.Reshape((-1,)),\n"
        "    layers.Dense(10, 'softmax'),\n"
        "])\n"
    )
    kinds = [layer.title for layer in net.layers]
    assert kinds == [
        "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "BatchNorm", "LeakyReLU", "ReLU6",
        "ZeroPadding2D", "AvgPool2D", "GlobalMaxPool2D", "Flatten", "Dense",
    ]  # fmt: skip
    conv, dw, sep = net.layers[:3]
    assert (conv.kernel, conv.stride, conv.padding, conv.bias) == ((3, 3), (1, 1), "valid", True)
    assert (dw.padding, dw.multiplier) == ("same", 2)
    assert (sep.kernel, sep.stride, sep.bias) == ((1, 3), (2, 2), False)
    assert net.layers[4].alpha == 0.1
    assert net.layers[6].padding == (1, 0, 2, 3)
    assert net.layers[7].stride == (1, 1)
    assert net.layers[-1].activation == "softmax"


def test_functional_concatenate_multiply_and_layer_objects() -> None:
    net = _code(
        "inputs = layers.Input(shape=(8, 8, 4))\n"
        "a = layers.Conv2D(4, 1)(inputs)\n"
        "b = layers.Conv2D(4, 3, padding='same')(inputs)\n"
        "c = layers.Concatenate()([a, b])\n"
        "gate = layers.Conv2D(8, 1, activation='sigmoid')\n"
        "g = gate(c)\n"
        "m = layers.Multiply()([c, g])\n"
        "outputs = layers.concatenate([m, c])\n"
        "model = keras.models.Model(inputs=inputs, outputs=outputs)\n"
    )
    assert [layer.kind for layer in net.layers] == ["conv", "conv", "concat", "conv", "multiply", "concat"]
    assert net.inputs == ((0,), (0,), (1, 2), (3,), (3, 4), (5, 3))
    assert analyze(net).layers[-1].output_shape == Shape((8, 8, 16))


def test_a_nested_sequential_is_inlined() -> None:
    net = _code(
        "augment = keras.Sequential([layers.RandomFlip('horizontal'), layers.RandomZoom(0.1)])\n"
        "inputs = keras.Input(shape=(32, 32, 3))\n"
        "x = augment(inputs)\n"
        "x = layers.Rescaling(1.0 / 255)(x)\n"
        "x = layers.Conv2D(8, 3)(x)\n"
        "model = keras.Model(inputs, x)\n"
    )
    assert [layer.kind for layer in net.layers] == ["conv"]
    assert not net.is_graph


def test_no_input_shape_asks_for_one() -> None:
    body = "model = keras.Sequential([layers.Conv2D(8, 3), layers.Flatten(), layers.Dense(2)])\n"
    with pytest.raises(SpecError, match="states no input shape") as exc:
        _code(body)
    assert exc.value.where == "model.py:3"
    assert _code(body, Shape((8, 8, 1))).input == Shape((8, 8, 1))


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        ("model = keras.Sequential([\n    layers.Conv2D(8, 3,\n])\n", "model.py:5:1", "syntax error"),
        (
            "n_filters = 8\nk = 2\nfor i in range(2):\n    k = 3\n"
            "model = keras.Sequential([layers.Conv2D(n_filters * k, 3, input_shape=(8, 8, 1))])\n",
            "model.py:5:1",
            "cannot read `for i in range",
        ),
        (
            "model = keras.Sequential([layers.Conv2D(filters(), 3, input_shape=(8, 8, 1))])\n",
            "model.py:3:41",
            "cannot read `filters\\(\\)`: only numbers are allowed; write the number",
        ),
        (
            "k = 2\nk = 3\nmodel = keras.Sequential([layers.Conv2D(8 * k, 3, input_shape=(8, 8, 1))])\n",
            "model.py:5:41",
            "cannot read `8 \\* k`: only numbers are allowed",
        ),
        (
            "model = keras.Sequential([layers.Conv3D(8, 3, input_shape=(8, 8, 8, 1))])\n",
            "model.py:3:27",
            "Conv3D is not a Keras layer cnnquiz reads",
        ),
        (
            "model = keras.Sequential([layers.Conv2D(8, 3, kernel_sise=3, input_shape=(8, 8, 1))])\n",
            "model.py:3:47",
            "Conv2D has no argument kernel_sise",
        ),
        (
            "model = keras.Sequential([layers.Conv2D(8, 3, padding='causal', input_shape=(8, 8, 1))])\n",
            "model.py:3:55",
            "padding must be 'valid' or 'same'",
        ),
    ],
)
def test_bad_code_is_an_error_at_file_line_col(body: str, where: str, message: str) -> None:
    with pytest.raises(SpecError, match=message) as exc:
        _code(body)
    assert exc.value.where == where


def test_a_command_in_the_code_is_reported_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    command = f"touch {marker}"
    for body in (
        f"import os\nmodel = keras.Sequential([layers.Dense(2, input_shape=(4,), name=os.system({command!r}))])\n",
        f"import os\nmodel = keras.Sequential([layers.Dense(os.system({command!r}), input_shape=(4,))])\n",
        f"import os\nmodel = keras.Sequential([layers.Dense(2, input_shape=(4,))])\nmodel.compile(os.system({command!r}))\n",
    ):
        with pytest.raises(SpecError, match=r"cannot read `os") as exc:
            _code(body)
        assert "only numbers" in exc.value.message or "unknown call" in exc.value.message
    # beside the model, a command is passed over and its line named: read as text, never run
    read = read_code(
        f"import os\nfrom tensorflow.keras import layers\nimport keras\nos.system({command!r})\n"
        "model = keras.Sequential([layers.Dense(2, input_shape=(4,))])\n",
        "model.py",
    )
    assert read.what.endswith("passed over, not the model (never run): line 4")
    with pytest.raises(SpecError, match="no Keras model found"):
        _code(f"import os\nx = __import__('os').system({command!r})\n")
    assert not marker.exists()


def test_what_surrounds_the_model_is_passed_over_and_named() -> None:
    """The published example loads MNIST, trains and prints around its model: all passed over."""
    read = read_code((FIXTURES / "keras_mnist_convnet.py").read_text(), "mnist_convnet.py")
    assert "passed over, not the model (never run): lines" in read.what
    assert analyze(read.network).trainable == 34_826


def test_a_statement_that_changes_the_model_is_never_passed_over() -> None:
    with pytest.raises(SpecError, match="unknown call"):
        _code(
            "inputs = keras.Input(shape=(4,))\n"
            "x = layers.Dense(3)(inputs)\n"
            "x = tf.nn.l2_normalize(x)\n"
            "model = keras.Model(inputs, x)\n"
        )


def test_two_models_are_refused() -> None:
    with pytest.raises(SpecError, match="several models"):
        _code(
            "a = keras.Sequential([layers.Dense(2, input_shape=(4,))])\n"
            "b = keras.Sequential([layers.Dense(3, input_shape=(4,))])\n"
        )


def test_a_functional_model_is_read_where_it_is_made() -> None:
    net = _code(
        "inputs = keras.Input(shape=(4,))\n"
        "x = layers.Dense(3)(inputs)\n"
        "model = keras.Model(inputs, x)\n"
        "x = layers.Dense(5)(x)\n"
    )
    assert [layer.units for layer in net.layers] == [3]


def test_an_open_input_size_is_given_on_the_command_line() -> None:
    body = (
        "inputs = keras.Input(shape=(None, None, 3))\n"
        "x = layers.Conv2D(8, 3)(inputs)\n"
        "outputs = layers.GlobalAveragePooling2D()(x)\n"
        "model = keras.Model(inputs, outputs)\n"
    )
    with pytest.raises(SpecError, match=r"left open \(None\)") as exc:
        _code(body)
    assert exc.value.where == "model.py:3:10"
    net = _code(body, Shape((16, 16, 3)))
    assert net.input == Shape((16, 16, 3))
    assert analyze(net).params == 8 * 27 + 8


def test_an_activation_named_by_its_function() -> None:
    net = _code(
        "import tensorflow as tf\n"
        "model = keras.Sequential([layers.Dense(4, activation=tf.nn.relu, input_shape=(3,)),\n"
        "                          layers.Activation(keras.activations.sigmoid)])\n"
    )
    assert net.layers[0].activation == "relu"
    assert net.layers[1].name == "sigmoid"


def test_build_states_the_input_after_the_batch_axis() -> None:
    net = _code(
        "model = keras.Sequential()\n"
        "model.add(layers.Conv2D(4, 3))\n"
        "model.build((None, 10, 10, 2))\n"
    )
    assert net.input == Shape((10, 10, 2))
