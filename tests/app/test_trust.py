"""Issue 9 ("Trust") as a student meets the app: each test drives the app with keys (Pilot)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events

from cnnquiz.app import make_app
from tests.fakes import FakeProgress, agreeing_verdict, cram_until, sync

pytestmark = pytest.mark.slow  # drives the app with Textual's Pilot: seconds a test

MINI = Path(__file__).parents[1] / "fixtures" / "app" / "mini.yaml"


def app_with(path: Path = MINI, progress=None, **kw):
    return make_app(
        [path],
        progress=progress if progress is not None else FakeProgress(),
        seed=1,
        clock=lambda: 0.0,
        **kw,
    )


def send_at_once(app, *keys: str) -> None:
    """Keys as a fast typist or a terminal's buffered input sends them: no pause in between
    (``pilot.press`` waits for the app to settle after each key)."""
    for key in keys:
        if key == " ":
            event = events.Key("space", " ")
        else:
            event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)


@sync
async def test_palette_then_pagedown_at_once_does_not_crash():
    """Textual 8.2.8's OptionList._move_page raised KeyError: 0 and took the app down."""
    app = app_with()
    async with app.run_test(size=(80, 24)) as pilot:
        send_at_once(app, "ctrl+p", "pagedown")
        await pilot.pause()
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"
        await pilot.press("pagedown")  # laid out now: the page move works
        await pilot.press("escape")
        assert type(app.screen).__name__ == "HomeScreen"
    assert app.return_code in (None, 0) and not app._exit_renderables


def text_of(widget) -> str:
    return str(widget.render())


@sync
async def test_multi_answer_letters_move_and_space_ticks():
    """``b Space c Space Enter`` answers B and C (it gave "Invalid: empty answer")."""
    progress = FakeProgress()
    app = app_with(progress=progress)
    async with app.run_test(size=(100, 30)) as pilot:
        await cram_until(pilot, "mini-trainable")
        choices = app.screen.query_one("#q-choices")
        await pilot.press("c")
        assert choices.highlighted == 2
        await pilot.press("space")
        assert choices.selected == [2]  # C, not A
        await pilot.press("space", "b", "space", "c", "space", "enter")
        verdict = text_of(app.screen.query_one("#q-verdict"))
        assert "Wrong" in verdict and "Invalid" not in verdict
    assert [(r[0], r[1], r[2]) for r in progress.records] == [("mini-trainable", "wrong", "B, C")]


@sync
async def test_multi_answer_by_letters_can_be_right_in_any_order():
    progress = FakeProgress()
    app = app_with(progress=progress)
    async with app.run_test(size=(100, 30)) as pilot:
        await cram_until(pilot, "mini-trainable")
        await pilot.press("B", "space", "a", "space", "enter")
        assert "Correct" in text_of(app.screen.query_one("#q-verdict"))
    assert [r[2] for r in progress.records] == ["A, B"]


@sync
async def test_single_choice_letter_still_only_moves_then_enter_answers():
    progress = FakeProgress()
    app = app_with(progress=progress)
    async with app.run_test(size=(100, 30)) as pilot:
        await cram_until(pilot, "mini-loss")
        await pilot.press("c")
        assert app.screen.query_one("#q-verdict").render().plain == ""
        await pilot.press("enter")
        assert "Correct" in text_of(app.screen.query_one("#q-verdict"))
    assert [r[2] for r in progress.records] == ["Categorical cross-entropy"]


@sync
async def test_missed_counts_agree_between_results_and_home_after_a_skip():
    """Results said "Missed (5)" and home "Missed 4 to retry": a skip is counted apart."""
    from cnnquiz.progress import Progress

    progress = Progress()
    app = app_with(progress=progress)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("c")
        session = app.screen.session
        first = session.question.id
        await pilot.press("ctrl+s")  # skipped: not an answer
        wrong = {
            "mini-params": ["1"],
            "mini-loss": ["a"],  # mean squared error
            "mini-pool": ["a"],  # True
            "mini-conv-shape": list("1x1x1"),
            "mini-trainable": ["c", "space"],  # the stride
        }
        while not session.finished:
            await pilot.press(*wrong[session.question.id], "enter", "enter")  # answer, next
        await pilot.pause()
        results = app.screen
        assert type(results).__name__ == "ResultsScreen"
        assert text_of(results.query_one("#results-missed-title")) == "Missed (4)"
        assert text_of(results.query_one("#results-skipped-title")) == "Skipped (1)"
        assert first in str(results.query_one("#results-skipped")._markdown)
        await pilot.press("escape")
        missed = str(app.screen.query_one("#modes").get_option("missed").prompt)
        assert "4 to retry" in missed
        await pilot.press("m")
        assert len(app.screen.session.questions) == 4
    assert sorted(a.verdict for a in progress.attempts()) == ["wrong"] * 4


@sync
async def test_hint_key_on_a_question_without_a_hint_says_so():
    app = app_with()
    async with app.run_test(size=(100, 30)) as pilot:
        await cram_until(pilot, "mini-loss")  # no hint in the bank
        await pilot.press("ctrl+g")
        assert text_of(app.screen.query_one("#q-hints")) == "This question has no hint."
    app = app_with()
    async with app.run_test(size=(100, 30)) as pilot:
        await cram_until(pilot, "mini-params")  # two hints
        await pilot.press("ctrl+g", "ctrl+g", "ctrl+g")
        hints = text_of(app.screen.query_one("#q-hints"))
        assert hints.startswith("Hint 1: ") and "Hint 2: " in hints
        assert hints.endswith("No more hints.") and "no hint" not in hints


def footer_keys(app) -> list[tuple[str, int, int]]:
    """(key, first column, last column + 1) of each key the footer shows."""
    from textual.widgets import Footer

    footer = app.screen.query_one(Footer)
    return [
        (child.key, child.region.x, child.region.right)
        for child in footer.walk_children()
        if type(child).__name__ == "FooterKey"
    ]


FOOTER_STATES = {
    "home": [],
    "home, topics focused": ["t"],
    "question, computed": ["c", "ctrl+s", "ctrl+s", "ctrl+s"],
    "question, multi": ["c", "ctrl+s"],
    "question, answered right": ["c", "ctrl+s", "ctrl+s", "ctrl+s", "ctrl+s", *"2800", "enter"],
    "results": ["c", "ctrl+s", "escape"],
    "calculator": ["f3"],
    "calculator, example loaded": ["f3", "ctrl+a", "ctrl+k", "ctrl+l"],
    "stats": ["f4"],
    "train": ["f5"],
}


@pytest.mark.parametrize("keys", list(FOOTER_STATES.values()), ids=list(FOOTER_STATES))
@sync
async def test_footer_fits_80_columns_with_f1_help(keys):
    """At 80x24 the footer cut off "F1 Help": every key shown must fit beside ^p palette."""
    app = app_with()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*keys)
        await pilot.pause()
        await pilot.pause()
        shown = footer_keys(app)
        palette = [x for key, x, _ in shown if key == "ctrl+p"]
        limit = palette[0] if palette else 80
        assert "f1" in [key for key, _, _ in shown], shown
        too_far = [(key, right) for key, _, right in shown if key != "ctrl+p" and right > limit]
        assert not too_far, shown


MINIMAL = Path(__file__).parents[1] / "fixtures" / "banks" / "minimal.yaml"


def right_keys(item) -> list[str]:  # a bank Item
    """The keys that answer ``item`` right, as a student would press them."""
    if item.kind in ("choice", "multi"):  # answer_text: "A) maxpool; C) flatten"
        letters = [part.strip()[0].lower() for part in item.answer_text.split(";")]
        if item.kind == "choice":
            return [letters[0]]
        return [k for letter in letters for k in (letter, "space")]
    if item.kind == "truefalse":
        return ["a" if item.answer_text == "true" else "b"]
    return list(item.answer_text)


@sync
async def test_a_bank_without_topics_works_in_every_screen():
    """Only the required fields (issue 9.1): the results showed an empty "Score per topic" box."""
    from cnnquiz.progress import Progress

    progress = Progress()
    app = app_with(MINIMAL, progress=progress)
    async with app.run_test(size=(80, 24)) as pilot:
        home = app.screen
        assert not home.query_one("#topics").display  # no empty topics box
        assert "name no topics" in text_of(home.query_one("#home-summary"))
        await pilot.press("t", "a")  # topic keys: a notice, the banks list still toggles
        assert app.is_running and type(app.screen).__name__ == "HomeScreen"
        await pilot.press("a")
        await pilot.press("p")
        session = app.screen.session
        assert session.total == 7
        asked = []
        while not session.finished:
            item = session.item
            asked.append(session.question.id)
            await pilot.press("ctrl+g")  # none of them has a hint
            assert text_of(app.screen.query_one("#q-hints")) == "This question has no hint."
            if session.question.id == "min-text":
                await pilot.press(*"mse", "enter")  # wrong
                assert "Wrong" in text_of(app.screen.query_one("#q-verdict"))
            else:
                await pilot.press(*right_keys(item), "enter")
                assert "Correct" in text_of(app.screen.query_one("#q-verdict")), item.prompt
            assert "question" in text_of(app.screen.query_one("#q-status"))
            await pilot.press("enter")
        await pilot.pause()
        assert sorted(asked) == sorted(q.id for q in app.questions)
        results = app.screen
        assert type(results).__name__ == "ResultsScreen"
        assert "6 / 7" in text_of(results.query_one("#results-score"))
        assert not results.query_one("#results-topics").display
        assert text_of(results.query_one("#results-missed-title")) == "Missed (1)"
        await pilot.press("escape", "f4")
        stats = app.screen
        assert type(stats).__name__ == "StatsScreen"
        assert "Answers 7" in text_of(stats.query_one("#stats-headline"))
        assert not stats.query_one("#stats-topics").display
        await pilot.press("f2", "m")
        assert [q.id for q in app.screen.session.questions] == ["min-text"]
    assert len(progress.attempts()) == 7


MARKUP = Path(__file__).parents[1] / "fixtures" / "app" / "markup.yaml"
CONTROL = [chr(c) for c in range(32) if chr(c) not in "\n\t"]


def screen_text(app) -> str:
    """Every character the screen shows (an SVG export holds the text of each cell)."""
    import html
    import re

    svg = app.export_screenshot()
    return html.unescape("".join(re.findall(r"<text [^>]*>([^<]*)</text>", svg)))


def assert_safe(app) -> str:
    shown = screen_text(app).replace("\xa0", " ")
    assert not [c for c in CONTROL if c in shown], repr(shown[:300])
    return shown


@sync
async def test_bank_text_is_shown_as_written_never_as_markup_or_escapes():
    """A choice written "[red]red[/red]" kept no brackets and "\\e[2J" reached the terminal."""
    progress = FakeProgress()
    app = app_with(MARKUP, progress=progress)
    async with app.run_test(size=(120, 40)) as pilot:
        shown = assert_safe(app)
        assert "Markup [red]bank[/red]" in shown  # the bank's title, brackets and all
        assert "[2J" not in shown  # the whole escape sequence goes, not only its ESC
        assert "[blue]topic[/blue]" in shown
        await pilot.press("c")
        while app.screen.session.question.id != "markup-choice":
            await pilot.press("ctrl+s")
        await pilot.press("ctrl+g")
        shown = assert_safe(app)
        assert "A) [red]red[/red]" in shown and "B) [link=https://x.invalid]link[/link]" in shown
        assert "Which is [bold]right[/bold]?" in shown
        assert "Hint 1: Look at the [b]brackets[/b]" in shown
        await pilot.press("b", "enter")  # the distractor: its feedback and the explanation
        shown = assert_safe(app)
        assert "expected A) [red]red[/red]" in shown.replace("  ", " ")
        assert "Not [i]this[/i] one" in shown
        assert "Because [red]red[/red]" in shown
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ResultsScreen"
        shown = assert_safe(app)
        assert "[blue]topic[/blue]" in shown and "Which is [bold]right[/bold]?" in shown
    # the multi question, by its letters
    app = app_with(MARKUP, progress=progress)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c")
        while app.screen.session.question.id != "markup-multi":
            await pilot.press("ctrl+s")
        shown = assert_safe(app)
        assert "A) [red]one[/red]" in shown and "B) [green]two[/green]" in shown
        await pilot.press("f4")
        assert "[blue]topic[/blue]" not in assert_safe(app)  # FakeProgress's own topics


# ---- the calculator screen ---------------------------------------------------------------


async def open_calculator(pilot):
    from tests.fakes import calculator_settled

    await pilot.press("f3")
    await calculator_settled(pilot)
    return pilot.app.screen


def last_params(screen) -> str:
    from textual.widgets import DataTable

    table = screen.query_one("#calc-table", DataTable)
    return str(table.get_row_at(table.row_count - 1)[3])


@sync
async def test_calculator_computes_once_after_the_typing_pauses_in_a_worker(monkeypatch):
    """It recomputed on every key, on the UI thread: a paste froze it (issue 9.9)."""
    import threading

    from cnnquiz.app.screens import calculator
    from tests.fakes import calculator_settled

    seen: list[tuple[str, bool]] = []
    real = calculator.calculate

    def counting(shape, layers, batch, optimizer):
        seen.append((layers, threading.current_thread() is threading.main_thread()))
        return real(shape, layers, batch, optimizer)

    monkeypatch.setattr(calculator, "calculate", counting)
    app = app_with()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_calculator(pilot)
        seen.clear()
        layers = screen.query_one("#calc-layers")
        layers.move_cursor(layers.document.end)
        send_at_once(app, "enter", *"conv 8 k3 same")  # 15 keys as one burst
        await calculator_settled(pilot)
        assert len(seen) < 5  # once the burst is over, not once per key
        assert seen[-1][0].endswith("conv 8 k3 same")
        assert not any(on_ui for _, on_ui in seen)  # never on the UI thread
        assert last_params(screen) == "932,208"  # 903,400 + (3·3·400 + 1)·8


@sync
async def test_calculator_keeps_taking_keys_while_a_slow_computation_runs(monkeypatch):
    import threading

    from cnnquiz.app.screens import calculator
    from tests.fakes import calculator_settled

    release = threading.Event()
    real = calculator.calculate

    def slow_once(shape, layers, batch, optimizer):
        if "slow" in layers:
            release.wait(10)
        return real(shape, layers, batch, optimizer)

    monkeypatch.setattr(calculator, "calculate", slow_once)
    app = app_with()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_calculator(pilot)
        layers = screen.query_one("#calc-layers")
        layers.text = "conv 100 k3 s2 same # slow"
        while screen._timer is not None or screen._wanted != screen._inputs():
            await pilot.pause(0.05)  # the slow computation has started
        layers.text = ""
        await pilot.press(*"conv 4 k3")  # the keys still arrive and show at once
        assert layers.text == "conv 4 k3"
        release.set()
        await calculator_settled(pilot)
        assert last_params(screen) == "112"  # the old text's late result was dropped
        assert "slow" not in str(screen.query_one("#calc-error").render())


@sync
async def test_calculator_caps_the_layer_count_with_a_clear_message():
    from cnnquiz.app.screens.calculator_work import MAX_LAYERS
    from tests.fakes import calculator_settled

    app = app_with()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_calculator(pilot)
        layers = screen.query_one("#calc-layers")
        layers.text = "\n".join(["conv 8 k3 same"] * (MAX_LAYERS + 1))
        await calculator_settled(pilot)
        error = text_of(screen.query_one("#calc-error"))
        assert error == (
            "layers: 1,001 layers; the calculator screen takes at most 1,000 "
            "(cnnquiz calc model FILE takes more)"
        )
        assert last_params(screen) == "903,400"  # the last good figures stay, marked stale
        assert screen.query_one("#calc-out").has_class("stale")
        yaml_list = "\n".join(["- conv: {filters: 8}"] * (MAX_LAYERS + 1))
        layers.text = yaml_list
        await calculator_settled(pilot)
        assert "1,001 layers; the calculator screen takes at most 1,000" in text_of(
            screen.query_one("#calc-error")
        )
        layers.text = "x" * 200_000  # one enormous line
        await calculator_settled(pilot)
        assert "200,000 characters; the calculator screen reads at most 100,000" in text_of(
            screen.query_one("#calc-error")
        )
        layers.text = "\n".join(["conv 8 k3 same"] * MAX_LAYERS)  # at the cap: computed
        await calculator_settled(pilot)
        assert last_params(screen) == fmt(3 * 3 * 3 * 8 + 8 + (MAX_LAYERS - 1) * (9 * 8 * 8 + 8))
        assert not screen.query_one("#calc-out").has_class("stale")
    assert not app._exit_renderables


def fmt(n: int) -> str:
    return f"{n:,}"


def visible(screen, selector: str) -> bool:
    """The widget's first line is inside the calculator's output pane as scrolled now."""
    pane = screen.query_one("#calc-out")
    widget = screen.query_one(selector)
    return widget.display and pane.region.contains(widget.region.x, widget.region.y)


@sync
async def test_calculator_results_stay_in_sight_after_an_edit(monkeypatch):
    """At 100x30 an edit left the summary and "torch agrees" scrolled away (issue 9.26)."""
    import sys
    from types import SimpleNamespace

    from tests.fakes import calculator_settled

    def quick_verify(network, figures):  # torch itself is tested elsewhere
        return agreeing_verdict(figures)

    monkeypatch.setitem(sys.modules, "cnnquiz.torchcheck.verify", SimpleNamespace(verify=quick_verify))
    app = app_with()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_calculator(pilot)
        pane = screen.query_one("#calc-out")
        assert visible(screen, "#calc-summary")
        summary = text_of(screen.query_one("#calc-summary"))
        assert (
            summary == "903,400 params (3.61 MB) · predict 12.6 MB · train (batch 50, sgd) 569 MB"
        )
        pane.scroll_end(animate=False)  # the student reads the working at the bottom
        await pilot.pause()
        assert pane.scroll_y > 0 and not visible(screen, "#calc-summary")
        layers = screen.query_one("#calc-layers")
        layers.move_cursor(layers.document.end)
        await pilot.press("enter", *"maxpool 2", "ctrl+r")
        await calculator_settled(pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        summary = text_of(screen.query_one("#calc-summary"))
        assert summary.startswith("903,400 params")  # the new figures, first
        assert "12.6 MB" in summary
        assert "torch agrees" in text_of(screen.query_one("#calc-verify"))
        assert pane.scroll_y == 0
        assert visible(screen, "#calc-summary") and visible(screen, "#calc-verify")


@sync
async def test_ctrl_z_brings_back_what_was_typed_before_the_worked_example():
    """Ctrl+L replaced the student's layers with no way back (issue 9.26)."""
    from cnnquiz.app.screens.calculator import WORKED_LAYERS
    from tests.fakes import calculator_settled

    app = app_with()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_calculator(pilot)
        mine = "conv 16 k5\nmaxpool 2\ndense 10"
        screen.query_one("#calc-input").value = "28x28x1"
        screen.query_one("#calc-batch").value = "32"
        layers = screen.query_one("#calc-layers")
        layers.text = mine
        await calculator_settled(pilot)
        assert "ctrl+z" not in [key for key, _, _ in footer_keys(app)]
        await pilot.press("ctrl+l")
        await calculator_settled(pilot)
        assert layers.text == WORKED_LAYERS and last_params(screen) == "903,400"
        assert "ctrl+z" in [key for key, _, _ in footer_keys(app)]
        assert any("Ctrl+Z" in n.message for n in app._notifications)
        await pilot.press("ctrl+z")
        await calculator_settled(pilot)
        assert layers.text == mine
        assert screen.query_one("#calc-input").value == "28x28x1"
        assert screen.query_one("#calc-batch").value == "32"
        assert "ctrl+z" not in [key for key, _, _ in footer_keys(app)]
        # an edit after loading: Ctrl+Z first undoes the edit (the box's own undo), then the load
        await pilot.press("ctrl+l")
        layers.move_cursor(layers.document.end)
        await pilot.press("enter", *"gap")
        await calculator_settled(pilot)
        assert layers.text == WORKED_LAYERS + "\ngap"
        for _ in range(4):  # the box undoes by steps (the word, the new line)
            await pilot.press("ctrl+z")
            if layers.text == WORKED_LAYERS:
                break
        assert layers.text == WORKED_LAYERS
        await calculator_settled(pilot)
        await pilot.press("ctrl+z")
        await calculator_settled(pilot)
        assert layers.text == mine


@sync
async def test_a_session_of_skips_is_not_praised():
    app = app_with()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("c", *["ctrl+s"] * 5)
        await pilot.pause()
        results = app.screen
        assert text_of(results.query_one("#results-missed-title")) == "Missed (0)"
        assert str(results.query_one("#results-missed")._markdown) == "Nothing answered wrong."
        assert text_of(results.query_one("#results-skipped-title")) == "Skipped (5)"


@sync
async def test_undoing_a_paste_in_the_layers_box_does_not_crash():
    """Found in the 80x24 tmux run: Textual 8.2.8's TextArea raised ValueError (document line
    index out of bounds) when Ctrl+Z undid a paste that had made its scrollbar appear."""
    from cnnquiz.app.screens.calculator import WORKED_LAYERS
    from tests.fakes import calculator_settled

    app = app_with()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_calculator(pilot)
        layers = screen.query_one("#calc-layers")
        paste = events.Paste("\n".join(["conv 8 k3 same"] * 10) + "\n")
        paste.set_sender(app)
        app._driver.send_message(paste)  # as a terminal sends a paste
        await calculator_settled(pilot)
        assert layers.document.line_count == 13
        assert "params" in text_of(screen.query_one("#calc-summary"))
        await pilot.press("ctrl+z")
        await calculator_settled(pilot)
        assert layers.text == WORKED_LAYERS
        assert last_params(screen) == "903,400"
    assert not app._exit_renderables


@sync
async def test_calculator_batch_is_a_whole_number_in_range():
    from tests.fakes import calculator_settled

    app = app_with()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_calculator(pilot)
        batch = screen.query_one("#calc-batch")
        for typed, message in (
            ("0", "batch: expected a whole number from 1 to 1,000,000,000, got '0'"),
            ("1000000001", "batch: expected a whole number from 1 to 1,000,000,000, got"),
            ("9" * 5000, "batch: 5000 digits; at most 1,000,000,000"),
        ):
            batch.value = typed
            await calculator_settled(pilot)
            assert text_of(screen.query_one("#calc-error")).startswith(message)
        batch.value = "1000000000"
        await calculator_settled(pilot)
        assert "batch 1000000000" in text_of(screen.query_one("#calc-summary"))
    assert not app._exit_renderables


@sync
async def test_calculator_hints_at_channels_first_input_like_the_command_line():
    """``3x200x300`` reads as a 3-pixel-high image: the screen says so (issue 9.17), and an
    error it would explain carries the same hint."""
    from tests.fakes import calculator_settled

    app = app_with()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_calculator(pilot)
        screen.query_one("#calc-input").value = "3x200x300"
        screen.query_one("#calc-layers").text = "conv 100 k1"
        await calculator_settled(pilot)
        hint = "this reads as H×W×C = 3×200×300; for PyTorch's C×H×W write 200x300x3"
        assert f"Hint: {hint}" in text_of(screen.query_one("#calc-error"))
        screen.query_one("#calc-layers").text = "conv 100 k5"  # 5 rows do not fit in 3
        await calculator_settled(pilot)
        assert f"(hint: {hint})" in text_of(screen.query_one("#calc-error"))
        screen.query_one("#calc-input").value = "200x300x3"
        await calculator_settled(pilot)
        assert "Hint" not in text_of(screen.query_one("#calc-error"))
    assert not app._exit_renderables
