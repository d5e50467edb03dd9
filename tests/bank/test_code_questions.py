"""Questions that state their network as model code (``code: |``, ``code_input:``): read, never
run, shown as a highlighted Python block after the prompt, the key computed from the code, and
``bank check`` proving it like any network; an error in the code is at its line of the bank."""

from __future__ import annotations

import textwrap
from pathlib import Path

from cnnquiz.bank import check_banks, load_bank
from cnnquiz.bank.loader import read_bank
from tests.conftest import ROOT

TORCH_NET = """\
title: t
questions:
  - id: net
    type: numeric
    prompt: How many trainable parameters does this PyTorch `Net` have on 32×32×3 images?
    code_input: 32x32x3
    code: |
      import torch.nn as nn
      import torch.nn.functional as F

      class Net(nn.Module):
          def __init__(self):
              super().__init__()
              self.conv1 = nn.Conv2d(3, 6, 5)
              self.pool = nn.MaxPool2d(2, 2)
              self.conv2 = nn.Conv2d(6, 16, 5)
              self.fc1 = nn.Linear(16 * 5 * 5, 120)
              self.fc2 = nn.Linear(120, 84)
              self.fc3 = nn.Linear(84, 10)

          def forward(self, x):
              x = self.pool(F.relu(self.conv1(x)))
              x = self.pool(F.relu(self.conv2(x)))
              x = x.view(-1, 16 * 5 * 5)
              x = F.relu(self.fc1(x))
              x = F.relu(self.fc2(x))
              return self.fc3(x)
    ask: params
    answer: ANSWER
    unit: params
    explanation: the tutorial's count
"""


def _bank(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bank.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_the_tf_tutorial_question_is_read_from_its_code():
    bank = load_bank(ROOT / "questions" / "convolution.yaml")
    parts = [q for q in bank.questions if q.group == "conv-tf-tutorial"]
    assert parts
    item = parts[0].draw(0)
    assert "```python\nmodel = models.Sequential([" in item.prompt
    network = parts[0].network
    assert network is not None and len(network.layers) == 8
    params = [q for q in parts if q.id == "conv-tf-tutorial/params-7"][0]
    assert params.draw(0).answer_text.replace(",", "").startswith("65600")


def test_a_pytorch_question_with_code_input_gets_its_key_from_the_code(tmp_path):
    path = _bank(tmp_path, TORCH_NET.replace("ANSWER", "62006"))
    report = check_banks([path], verify=False)
    assert report.errors == [], report.errors
    q = load_bank(path).questions[0]
    assert q.recomputed is not None and q.recomputed.solution is not None
    assert "class Net(nn.Module):" in q.draw(0).prompt


def test_bank_check_catches_a_wrong_key_on_code(tmp_path):
    path = _bank(tmp_path, TORCH_NET.replace("ANSWER", "61006"))
    report = check_banks([path], verify=False)
    assert report.errors
    assert any("62,006" in p.message or "62006" in p.message for p in report.errors)


def test_an_error_in_the_code_names_its_line_in_the_bank(tmp_path):
    text = TORCH_NET.replace("ANSWER", "62006").replace(
        "nn.Linear(16 * 5 * 5, 120)", "nn.Linear(400 + n, 120)"
    )
    _, problems = read_bank(_bank(tmp_path, text))
    errors = [p for p in problems if p.severity == "error"]
    assert len(errors) == 1
    line = TORCH_NET.splitlines().index("              self.fc1 = nn.Linear(16 * 5 * 5, 120)") + 1
    assert errors[0].line == line
    assert "only numbers are allowed" in errors[0].message


def test_code_and_network_together_is_an_error(tmp_path):
    text = TORCH_NET.replace("ANSWER", "62006").replace(
        "    code_input: 32x32x3\n", "    network: {input: 8, layers: [dense: {units: 2}]}\n"
    )
    _, problems = read_bank(_bank(tmp_path, text))
    assert any("code or network, not both" in p.message for p in problems)
