"""Terminal escapes in someone else's text never reach the student's terminal."""

from cnnquiz.textsafe import control_characters, printable


def test_clear_screen_and_colour_sequences_are_removed():
    assert printable("a\x1b[2Jb\x1b[31mred\x1b[0m") == "abred"


def test_osc_title_sequence_is_removed_with_its_text():
    assert printable("x\x1b]0;pwned\x07y") == "xy"


def test_newlines_and_tabs_stay_other_controls_go():
    assert printable("one\ntwo\tthree\r\x07\x00") == "one\ntwo\tthree"


def test_bidi_override_is_removed():
    assert printable("abc\u202edcba") == "abcdcba"


def test_plain_unicode_is_untouched():
    text = "100×150×100 — Ωmega ✓"
    assert printable(text) == text


def test_control_characters_are_named_once():
    assert control_characters("\x1b[2J\x1b[0m\x07") == ["U+001B", "U+0007"]
    assert control_characters("fine\n") == []
