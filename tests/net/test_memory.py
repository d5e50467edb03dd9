"""One RAM rule everywhere (issue 9.18): flatten and an activation written as its own layer are
views of the layer before them, in the calculator's output, its JSON and the banks' keys."""

from __future__ import annotations

import json

import pytest

from cnnquiz.bank import computed
from cnnquiz.bank.loader import load_bank
from cnnquiz.bank.model import grade
from cnnquiz.net.memory import VIEW_RULE
from tests.conftest import ROOT

AS_OPTION = "conv 32 k3 s2 same relu; maxpool 2; conv 64 k3 same relu; flatten; dense 10 softmax"
AS_LAYERS = "conv 32 k3 s2 same; relu; maxpool 2; conv 64 k3 same; relu; flatten; dense 10; softmax"


def _model_json(cli, layers: str) -> dict:
    result = cli("calc", "model", "--in", "128x128x3", layers, "--batch", "32", "--json",
                 "--no-verify")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_calc_model_gives_the_same_ram_however_relu_is_written(cli):
    option, layers = _model_json(cli, AS_OPTION), _model_json(cli, AS_LAYERS)
    assert layers["prediction_ram"]["total"] == option["prediction_ram"]["total"]
    assert layers["training_ram"]["total"] == option["training_ram"]["total"]
    assert layers["totals"]["stored_bytes"] == option["totals"]["stored_bytes"]
    views = {row["index"]: row["view_of"] for row in layers["layers"] if row["view_of"] is not None}
    assert views == {2: 1, 5: 4, 6: 4, 8: 7}
    assert layers["layers"][5]["steps"][-1].endswith("a view of layer 4 (Conv2D): no new memory")
    assert VIEW_RULE in layers["assumptions"]
    outputs = layers["training_ram"]["terms"][0]["working"]
    assert outputs.endswith("(views add nothing: layers 2, 5, 6, 8)")


def test_calc_model_text_states_the_view_rule(cli):
    result = cli("calc", "model", "--in", "128x128x3", AS_LAYERS, "--no-verify",
                 env={"COLUMNS": "400"})
    assert result.returncode == 0, result.stderr
    assert VIEW_RULE in result.stdout
    assert "(views add nothing: layers 2, 5, 6, 8)" in result.stdout


@pytest.mark.parametrize(("qid", "state"), [("ram-c-train-adam", 2), ("ram-c-train-momentum", 1)])
def test_flatten_is_not_counted_twice_in_the_bank_training_keys(qid, state):
    """Conv → Flatten → Dense: by hand, B·(conv output + dense output + input) + params·(2 + state)."""
    bank = load_bank(ROOT / "questions" / "memory.yaml")
    question = next(q for q in bank.questions if q.id == qid)
    seen = set()
    for seed in range(60):
        item = question.draw(seed)
        v = item.values
        b, h, f, u = (int(v[k]) for k in "bhfu")
        side = -(-h // 2)
        conv_out, flat = side * side * f, side * side * f
        params = (3 * 3 * 3 + 1) * f + (flat + 1) * u
        by_hand = 4 * (b * (conv_out + u + h * h * 3) + params * (2 + state))
        assert item.key.number == by_hand, (seed, v)
        old = by_hand + 4 * b * flat  # Flatten's output counted as a second copy
        verdict = grade(item, f"{old} bytes")
        assert verdict.status == "wrong" and "Flatten is a view" in verdict.feedback
        seen.add((b, h, f, u))
    assert len(seen) > 20  # the seeds reach many variants
    assert "Flatten is a view" in computed.substitute(question.explanation, v)


def test_the_summary_table_marks_views_and_totals_what_is_stored(cli):
    result = cli("calc", "model", "--in", "32x32x3", "conv 32 k3; relu; maxpool 2; flatten; dense 10",
                 "--no-verify")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line[:1].isdigit()}
    assert rows["2"].endswith("view of 1") and rows["4"].endswith("view of 3")
    # 30·30·32 + 15·15·32 + 10 values of 4 bytes: the same 144,040 bytes the training line counts
    total = next(line for line in result.stdout.splitlines() if line.strip().startswith("Total"))
    assert total.endswith("0.144 MB")
    assert "layer outputs × 32     144,040 bytes · 32" in result.stdout
