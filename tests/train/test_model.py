"""Training, settings, the two demo specs, Grad-CAM and run folders, in process (small and seeded)."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

from cnnquiz.errors import CnnquizError, SpecError
from cnnquiz.net.arithmetic import analyze
from cnnquiz.net.layers import Conv, Dense
from cnnquiz.net.spec import load_network
from cnnquiz.train import config, data, gradcam, networks, runs
from cnnquiz.train.loop import Reporter, train
from cnnquiz.train.run import execute, prepare

pytestmark = pytest.mark.slow  # trains networks with torch

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _two_threads():
    torch.set_num_threads(2)  # the machine is shared: stay modest


@pytest.fixture(scope="module")
def small_demo():
    # 16x16 pixels: the shapes stay recognisable and the steps cost a quarter of 32x32's
    return data.demo_dataset(seed=0, split=(1200, 160, 160), size=16)


def _cfg(**kw):
    return config.TrainConfig(**({"epochs": 3, "batch": 32, "threads": 2} | kw))


def test_a_few_steps_make_the_loss_fall_and_beat_chance(small_demo):
    seen = []

    class Keep(Reporter):
        def epoch_end(self, metrics):
            seen.append(metrics)

    net = networks.fit_to_data(networks.demo_network(), small_demo.image_shape, 4)
    result = train(net, small_demo, _cfg(), Keep())
    losses = [m.train_loss for m in result.epochs]
    assert len(seen) == 3 and losses[-1] < losses[0] - 0.15
    assert result.test_accuracy > 0.25 + 0.15  # chance is 1 in 4
    assert sum(map(sum, result.confusion)) == 160
    assert result.images_per_second > 0 and result.memory["peak_rss_bytes"] > 10**7


def test_training_is_deterministic_for_a_seed(small_demo):
    net = networks.fit_to_data(networks.demo_network(), small_demo.image_shape, 4)
    a = train(net, small_demo, _cfg(epochs=1))
    b = train(net, small_demo, _cfg(epochs=1))
    assert a.epochs[0].train_loss == b.epochs[0].train_loss
    assert a.confusion == b.confusion


def test_cancelling_stops_after_the_current_step(small_demo):
    class Stop(Reporter):
        report_every = 2

        def cancelled(self):
            return True

    net = networks.fit_to_data(networks.demo_network(), small_demo.image_shape, 4)
    result = train(net, small_demo, _cfg(), Stop())
    assert result.cancelled and result.epochs == []


def test_the_dense_baseline_is_a_spec_of_similar_size():
    cnn, dense = analyze(networks.demo_network()), analyze(networks.dense_network())
    assert (cnn.params, dense.params) == (24_292, 24_620)
    assert abs(dense.params - cnn.params) / cnn.params < 0.05
    assert not any(isinstance(layer, Conv) for layer in networks.dense_network().layers)
    assert isinstance(networks.dense_network().layers[-1], Dense)


@pytest.mark.parametrize(
    ("file", "built_in"),
    [("demo.yaml", networks.demo_network), ("dense-baseline.yaml", networks.dense_network)],
)
def test_examples_are_the_built_in_specs(file, built_in):
    on_disk = load_network(ROOT / "examples" / file)
    assert on_disk == built_in() and dict(on_disk.train) == dict(built_in().train)


def test_settings_layer_defaults_spec_and_command_line(tmp_path):
    spec = tmp_path / "net.yaml"
    spec.write_text(
        "input: 8x8x3\nlayers: 'conv 4; gap; dense 2'\ntrain:\n  lr: 0.01\n  batch_size: 16\n"
    )
    net = load_network(spec)
    cfg = config.from_mapping(net.train, str(spec))
    assert (cfg.lr, cfg.batch, cfg.epochs) == (0.01, 16, config.TrainConfig().epochs)
    cfg = config.with_overrides(cfg, lr=0.5, batch=None, optimizer="SGD")
    assert (cfg.lr, cfg.batch, cfg.optimizer) == (0.5, 16, "sgd")


def test_bad_settings_name_their_line_or_option(tmp_path):
    spec = tmp_path / "net.yaml"
    spec.write_text("input: 8x8x3\nlayers: 'gap; dense 2'\ntrain:\n  epochs: 2\n  lr: fast\n")
    with pytest.raises(SpecError, match=r"net.yaml:5: lr must be a number"):
        config.from_mapping(load_network(spec).train, str(spec))
    with pytest.raises(SpecError, match="unknown training setting 'epoch'"):
        config.from_mapping({"epoch": 3})
    with pytest.raises(SpecError, match="--momentum: momentum must be below 1"):
        config.with_overrides(config.TrainConfig(), momentum=1.5)


def test_the_network_must_give_one_output_per_class():
    net = networks.demo_network()
    with pytest.raises(CnnquizError, match="gives 4 outputs but the data has 2 classes"):
        networks.fit_to_data(net, (32, 32, 3), 2)
    fitted = networks.fit_to_data(net, (48, 40, 3), 2, adapt_output=True)
    assert str(analyze(fitted).output_shape) == "2" and str(fitted.input) == "48x40x3"


def test_gradcam_map_has_the_input_size_and_range():
    torch.manual_seed(0)
    from cnnquiz.torchcheck.build import to_module

    net = networks.fit_to_data(networks.demo_network(), (40, 24, 3), 4)
    model = to_module(net).eval()
    x = torch.randn(1, 3, 40, 24)
    cam = gradcam.grad_cam(model, net, x, 2)
    assert cam.shape == (40, 24) and cam.min() >= 0 and cam.max() == pytest.approx(1)
    assert gradcam.cam_layer_index(net) == 10  # the relu after the last conv


def test_gradcam_needs_a_convolution():
    from cnnquiz.torchcheck.build import to_module

    net = networks.dense_network()
    with pytest.raises(CnnquizError, match="needs a convolution"):
        gradcam.grad_cam(to_module(net), net, torch.zeros(1, 3, 32, 32), 0)


def test_heatmap_colours_and_half_block_rows():
    assert gradcam.colormap(np.array([0.0, 1.0])).tolist() == [[0, 0, 120], [220, 20, 0]]
    rows = gradcam.terminal_rows(np.linspace(0, 1, 64 * 32).reshape(64, 32), width=16)
    assert len(rows) == 16 and len(rows[0]) == 16  # 32 pixel rows, two per text row
    assert rows[0][0][0][2] > rows[-1][0][1][2]  # blue (cold) at the top, red (hot) at the bottom


def test_a_run_folder_round_trips(tmp_path, monkeypatch):
    from cnnquiz.train import predict

    monkeypatch.setattr(data, "DEMO_SPLIT", (320, 64, 64))
    plan = prepare(
        demo=True,
        data_dir=None,
        config_path=None,
        overrides={"epochs": 1, "batch": 32, "threads": 2},
    )
    outcome = execute(plan, tmp_path)
    run = runs.resolve(outcome.run_dir, tmp_path)
    assert run.info["status"] == "finished" and run.classes == list(data.DEMO_CLASSES)
    assert run.info["test_accuracy"] == outcome.result.test_accuracy
    assert run.network == plan.network and run.network.train["epochs"] == 1
    assert len(run.epochs) == 1 and (run.path / "metrics.csv").read_text().count("\n") == 2
    model = predict.load_model(run)
    x = plan.data.test.x[:8]
    with torch.no_grad():
        assert torch.equal(model(x), outcome.result.model(x))
    assert [r.path for r in runs.list_runs(tmp_path)] == [run.path]
    assert runs.resolve(run.name, tmp_path).path == run.path  # by name under the runs folder


class _Evil:
    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def test_a_malicious_pickle_checkpoint_is_refused(tmp_path):
    from cnnquiz.torchcheck.build import to_module

    marker = tmp_path / "pwned"
    evil = _Evil()
    evil.marker = str(marker)
    weights = tmp_path / "weights.safetensors"
    weights.write_bytes(pickle.dumps({"state_dict": evil}))
    (tmp_path / "evil.pt").write_bytes(weights.read_bytes())
    for file in (weights, tmp_path / "evil.pt"):
        with pytest.raises(CnnquizError, match="never pickle") as err:
            runs.load_weights(to_module(networks.demo_network()), file)
        assert "\n" not in str(err.value)
    assert not marker.exists()
    pickle.loads(weights.read_bytes())  # the file really was armed
    assert marker.exists()


def test_weights_of_another_network_do_not_load(tmp_path):
    from cnnquiz.torchcheck.build import to_module

    runs.save_weights(to_module(networks.dense_network()), tmp_path)
    with pytest.raises(CnnquizError, match="do not fit the run's network"):
        runs.load_weights(to_module(networks.demo_network()), tmp_path / runs.WEIGHTS)


def test_ctrl_c_stops_like_cancel(small_demo):
    class Interrupt(Reporter):
        report_every = 3

        def step(self, epoch, *args):
            if epoch == 2:
                raise KeyboardInterrupt

    net = networks.fit_to_data(networks.demo_network(), small_demo.image_shape, 4)
    result = train(net, small_demo, _cfg(), Interrupt())
    assert result.cancelled and len(result.epochs) == 1  # the first epoch is kept
    assert sum(map(sum, result.confusion)) == 160  # and the weights are still evaluated


def test_an_unwritable_runs_folder_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "DEMO_SPLIT", (64, 16, 16))
    (tmp_path / "file").write_text("")
    plan = prepare(demo=True, data_dir=None, config_path=None, overrides={"epochs": 1})
    with pytest.raises(CnnquizError, match="cannot create the run folder"):
        execute(plan, tmp_path / "file" / "runs")


def test_mlflow_is_never_required(tmp_path, monkeypatch, capsys):
    # a plain folder: MLflow 3 refuses it as a store, and without mlflow nothing logs; either
    # way one warning line naming the fix, never a traceback (tests/lab/ tests MLflow itself)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", str(tmp_path / "mlruns"))
    logged = runs.mlflow_log(tmp_path, {"lr": 0.1}, [{"epoch": 1, "train_loss": 1.0}], {})
    assert logged is False
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("cnnquiz: warning: MLflow: ")
    assert "sqlite:///mlflow.db" in err or "pip install" in err
    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    assert runs.mlflow_log(tmp_path, {}, [], {}) is False  # installed or not: no URI, no logging
