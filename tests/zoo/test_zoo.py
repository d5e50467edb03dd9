"""The zoo: every bundled network reproduces its published parameter count, and torch agrees.

The published figures are written here once more, apart from ``cnnquiz.zoo.ZOO``, so that a
changed spec or a changed entry fails: the table is the claim, the specs must meet it.
"""

from __future__ import annotations

import pytest

from cnnquiz import zoo
from cnnquiz.errors import SpecError
from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.spec import load_network
from tests.conftest import ROOT

PUBLISHED = {
    "lenet5": 61_706,  # LeNet-5 as rebuilt in Keras/PyTorch (C5 a 5x5 conv, F6 84, 10 outputs)
    "alexnet": 61_100_840,  # torchvision.models.alexnet
    "vgg16": 138_357_544,  # Keras's and torchvision's vgg16
    "googlenet": 6_624_904,  # torchvision.models.googlenet, aux_logits=False
    "resnet18": 11_689_512,  # torchvision.models.resnet18
    "resnet50": 25_557_032,  # torchvision.models.resnet50
    "se_block": 70_400 + 8_464,  # ResNet-50's conv2_x bottleneck + SE: 2·256²/16 + 16 + 256
    "mobilenet_v1": 4_231_976,  # keras.applications.MobileNet: trainable of 4,253,864
    "mobilenet_v2": 3_504_872,  # torchvision.models.mobilenet_v2
    "worked": 903_400,  # the course notes' worked example
    "tf_cnn": 122_570,  # TensorFlow's CNN tutorial, model.summary()
    "car_truck": 291_405,  # Kaggle Learn's Custom Convnets model, by Keras's rules
}

GRAPHS = {"googlenet", "resnet18", "resnet50", "se_block", "mobilenet_v2"}


def test_the_list_is_the_table_and_the_files():
    assert {e.name: e.published for e in zoo.ZOO} == PUBLISHED
    assert zoo.names() == tuple(PUBLISHED)
    assert {p.stem for p in zoo.HERE.glob("*.yaml")} == set(PUBLISHED)


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_each_network_reproduces_its_published_count(name):
    network = zoo.load(name)
    assert analyze(network).trainable == PUBLISHED[name]
    assert network.is_graph == (name in GRAPHS)


def test_ends_as_published():
    """Each classifier ends in its classes, and ResNet-50 reaches its 7x7x2048 before pooling."""
    outputs = {name: str(analyze(zoo.load(name)).output_shape) for name in PUBLISHED}
    assert outputs == {
        **dict.fromkeys(("alexnet", "vgg16", "googlenet", "resnet18", "resnet50"), "1000"),
        **dict.fromkeys(("mobilenet_v1", "mobilenet_v2"), "1000"),
        "lenet5": "10", "se_block": "56x56x256", "worked": "25x38x400", "tf_cnn": "10",
        "car_truck": "1",
    }  # fmt: skip
    fig = analyze(zoo.load("resnet50"))
    assert str(fig.layers[-3].output_shape) == "7x7x2048"


def test_batch_norm_statistics_are_not_counted_but_known():
    """Keras's MobileNet summary: 4,253,864 parameters, 21,888 of them non-trainable."""
    fig = analyze(zoo.load("mobilenet_v1"))
    assert (fig.trainable, fig.non_trainable) == (4_231_976, 21_888)


def test_googlenet_inception_modules_widen_as_published():
    """torchvision's comments: 256, 480 | 512, 512, 512, 528, 832 | 832, 1024 channels."""
    network = zoo.load("googlenet")
    fig = analyze(network)
    concats = [f.output_shape for f in fig.layers if f.layer.kind == "concat"]
    assert [str(s) for s in concats] == [
        "28x28x256", "28x28x480", "14x14x512", "14x14x512", "14x14x512", "14x14x528",
        "14x14x832", "7x7x832", "7x7x1024",
    ]  # fmt: skip


def test_se_block_adds_two_c_squared_over_r():
    """The squeeze-and-excitation part alone: 2C²/r + C/r + C with C = 256, r = 16."""
    network = zoo.load("se_block")
    fig = analyze(network)
    se = [f for f in fig.layers if network.scope_of(f.index).startswith("se")]
    assert [f.layer.kind for f in se] == ["gap", "dense", "dense", "multiply"]
    c, r = 256, 16
    assert sum(f.trainable for f in se) == 2 * c * c // r + c // r + c == 8_464


@pytest.mark.parametrize(("name", "example"), [("worked", "worked.yaml"), ("tf_cnn", "tf-cnn.yaml")])
def test_course_networks_are_the_examples(name, example):
    assert zoo.load(name) == load_network(ROOT / "examples" / example)


def test_resolve_takes_a_name_or_a_file():
    assert zoo.resolve("lenet5") == zoo.load("lenet5")
    path = str(ROOT / "examples" / "worked.yaml")
    assert zoo.resolve(path) == load_network(path)
    assert zoo.path("vgg16").name == "vgg16.yaml"


def test_a_wrong_name_is_refused_with_the_closest_and_the_list():
    with pytest.raises(SpecError) as caught:
        zoo.resolve("ResNet-18", "NET")
    text = str(caught.value)
    assert text.startswith("NET: no zoo network or spec file named 'ResNet-18' (did you mean resnet18?)")
    assert text.endswith("the zoo has " + ", ".join(PUBLISHED))
    assert "\n" not in text
    with pytest.raises(SpecError, match="named 'x\\\\ny'; the zoo has"):
        zoo.resolve("x\ny")
    with pytest.raises(SpecError, match="did you mean mobilenet_v2"):
        zoo.path("mobilenetv2")


def test_a_missing_spec_file_is_read_as_a_file(tmp_path):
    with pytest.raises(SpecError) as caught:
        zoo.resolve(str(tmp_path / "mine.yaml"))
    assert "zoo" not in str(caught.value)


@pytest.mark.slow  # torch builds each network: seconds for the large ones
@pytest.mark.parametrize("name", list(PUBLISHED))
def test_torch_builds_each_network_with_the_published_count(name):
    """The bridge's own torch build (every node's shape and parameters on an empty batch, or on
    the meta device for the large ones) finds the published count too."""
    from cnnquiz.torchcheck.verify import verify

    network = zoo.load(name)
    verdict = verify(network, analyze(network))
    assert verdict.ok, [str(m) for m in verdict.mismatches]
    assert verdict.total_trainable == PUBLISHED[name]
