"""cnnquiz.i18n: the language in use, numbers in its notation, and the traps' feedback, which is
cached with the banks in English and translated only when it is read."""

from __future__ import annotations

import pickle
from decimal import Decimal

import pytest

from cnnquiz import i18n
from cnnquiz.bank.asks.solution import Trap, said


@pytest.fixture
def dutch():
    i18n.use("nl")
    yield
    i18n.use("en")


def test_english_is_the_source_and_needs_no_catalog():
    assert i18n.current() == "en"
    assert i18n._("Practice") == "Practice"
    assert i18n.number("2,800 and 3.6 MB") == "2,800 and 3.6 MB"


def test_dutch_words_and_plurals(dutch):
    assert i18n.current() == "nl"
    assert i18n._("Practice") == "Oefenen"
    assert i18n.ngettext("{n} day", "{n} days", 1) == "{n} dag"
    assert i18n.ngettext("{n} day", "{n} days", 3) == "{n} dagen"
    assert i18n._("a message no catalog has") == "a message no catalog has"


def test_numbers_in_the_dutch_notation(dutch):
    assert i18n.number("2,800") == "2.800"
    assert i18n.number("903,400 parameters, 3.6 MB") == "903.400 parameters, 3,6 MB"
    assert i18n.number("1,234,567.25") == "1.234.567,25"
    assert i18n.number("conv2d_1 and 3·3·64") == "conv2d_1 and 3·3·64"


def test_use_refuses_a_language_without_a_catalog():
    with pytest.raises(ValueError, match="unknown language 'xx'"):
        i18n.use("xx")


def test_the_locale_chooses():
    assert i18n.from_environment({"LANG": "nl_BE.UTF-8"}) == "nl"
    assert i18n.from_environment({"LANGUAGE": "da:nl", "LANG": "en_US"}) == "nl"
    assert i18n.from_environment({"LANG": "fr_FR.UTF-8"}) == "en"


def _bias_trap() -> Trap:
    return said(
        Decimal(2700),
        i18n.N_(
            "you forgot the bias: {weights} + {biases} = {total} (one bias per filter or unit)"
        ),
        weights="2,700",
        biases="100",
        total="2,800",
    )


def test_a_trap_speaks_english_as_before():
    assert _bias_trap().feedback == (
        "you forgot the bias: 2,700 + 100 = 2,800 (one bias per filter or unit)"
    )


def test_a_cached_trap_is_translated_when_read(dutch):
    """Made (and pickled, as the bank cache does) in English, read in Dutch."""
    i18n.use("en")
    cached = pickle.dumps(_bias_trap())
    i18n.use("nl")
    trap = pickle.loads(cached)
    assert trap.feedback == (
        "je bent de bias vergeten: 2.700 + 100 = 2.800 (één bias per filter of neuron)"
    )


def test_an_authors_feedback_is_shown_as_written(dutch):
    """A bank's own ``feedback:`` is in the bank's language already: never looked up."""
    trap = Trap(Decimal(5), "Practice")
    assert trap.feedback == "Practice"


def test_the_calculators_traps_translate(dutch):
    from cnnquiz.bank.asks import evaluate
    from cnnquiz.net.spec import parse_network

    net = parse_network({"input": "200x300x3", "layers": [{"conv": {"filters": 100}}]})
    traps = evaluate(net, "params").traps
    said_ = [t.feedback for t in traps]
    assert "je bent de bias vergeten: 2.700 + 100 = 2.800 (één bias per filter of neuron)" in said_
    assert any(s.startswith("elke filter loopt over alle 3 invoerkanalen") for s in said_)
