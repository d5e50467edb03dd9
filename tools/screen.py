"""Print what the cnnquiz app shows, as plain text, for the docs.

    python tools/screen.py [--size 100x30] [--keys "p type:903400 enter"] -- app --topic memory
    python tools/screen.py --terminal --size 80x24 --keys "type:4 enter" -- quiz ...

runs ``cnnquiz ARGS`` exactly as the command line does, except that the app runs headless
(Textual's ``run_test``) in a terminal of ``--size``; it presses ``--keys`` in order (Textual
key names; ``type:TEXT`` types TEXT; ``wait:SECONDS`` lets a worker finish), then prints the
screen as text, the way ``App.export_screenshot`` renders it but without colours. What the
command prints after the app closes (``quiz``'s score) follows. The docs
generator (``tools/docs.py``) runs it for captures that need a terminal, so they come from the
program, not from someone's memory of it.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import shlex
import sys


def screen_text(app) -> str:
    """The current screen as text, rendered like ``App.export_screenshot`` (Textual 8)."""
    from rich.console import Console

    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    text = console.export_text(styles=False)
    return "\n".join(line.rstrip() for line in text.splitlines()).rstrip("\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="100x30", help="COLUMNSxLINES (default 100x30)")
    parser.add_argument("--keys", default="", help="keys to press, separated by spaces")
    parser.add_argument(
        "--terminal",
        action="store_true",
        help="take stdin and stdout for a terminal, so that `quiz` opens full screen",
    )
    parser.add_argument("args", nargs=argparse.REMAINDER, help="-- then cnnquiz's arguments")
    args = parser.parse_args(argv)
    columns, lines = (int(n) for n in args.size.lower().split("x"))
    keys = shlex.split(args.keys)
    cnnquiz_args = args.args[1:] if args.args[:1] == ["--"] else args.args

    from textual.app import App

    async def capture(app: App) -> None:
        async with app.run_test(size=(columns, lines)) as pilot:
            await pilot.pause()
            for key in keys:
                if key.startswith("type:"):
                    await pilot.press(*[("space" if c == " " else c) for c in key[5:]])
                elif key.startswith("wait:"):
                    await asyncio.sleep(float(key[5:]))
                    await app.workers.wait_for_complete()
                else:
                    await pilot.press(key)
                await pilot.pause()
            await pilot.wait_for_scheduled_animations()
            await pilot.pause()
            print(screen_text(app))

    def run_headless(self: App, *_args: object, **_kwargs: object) -> None:
        asyncio.run(capture(self))

    App.run = run_headless  # type: ignore[method-assign]
    if args.terminal:
        import cnnquiz.cli.quiz

        cnnquiz.cli.quiz.full_screen_possible = lambda: True
    from cnnquiz.cli import main as cnnquiz_main

    return cnnquiz_main(cnnquiz_args)


if __name__ == "__main__":
    sys.exit(main())
