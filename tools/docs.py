"""Fill the docs' example output by running it, or check that it still matches.

Every fenced block in README.md and docs/*.md that shows what cnnquiz prints is produced by
running it; nothing is typed by hand, so the docs cannot drift from the program:

- ```` ```console ```` blocks: each line that starts with ``$ `` is a command (a line ending in
  ``\\`` continues on the next); what it prints, stdout and stderr together, goes below it. The
  commands of one block run in one bash, in order (``export`` and ``echo $?`` work). A command
  that exits non-zero must be followed by ``$ echo $?``, so the status is shown and checked.
- ```` ```text run="COMMAND" ```` blocks: the block is what COMMAND prints, without a prompt
  (screen captures of the app by ``tools/screen.py``).
- ```` ```yaml file=PATH ```` blocks: the contents of PATH (an example bank the next console
  block checks), so the file shown is the file run.
- ```` ```text run="COMMAND" bench ```` blocks: benchmark figures. They are measurements, not
  output a test can compare: refreshed only by ``--bench`` (which runs nothing else), never checked.

Commands run with a fixed environment (``ENV`` below: 100 columns, no colour, UTC, an empty
``CNNQUIZ_HOME`` in a temporary folder), in a scratch folder that links to the repository's
top-level entries, so files a command writes (``heat.png``) never land in the repository.
The temporary ``CNNQUIZ_HOME`` is printed as ``~/.local/share/cnnquiz``, where it is on Linux
by default.

Parts of the output that really vary between runs (seconds, images per second, dates, run
names, the process's peak memory, the thread count chosen from the free cores) are masked by
the explicit regexes in ``MASKS``, in this generator and in ``tests/test_docs.py`` alike; the
generator keeps a block's text when it matches the new output under the masks, so regenerating
does not churn timings. Usage::

    python tools/docs.py            # rewrite every block that no longer matches
    python tools/docs.py --check    # exit 1 and show the difference instead of writing
    python tools/docs.py --bench    # rerun only the benchmarks, recording the machine
"""

from __future__ import annotations

import argparse
import datetime as _dt
import difflib
import os
import platform
import re
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC_FILES = ("README.md", "docs")
SHOWN_HOME = "~/.local/share/cnnquiz"
END = "\x1eCNNQUIZ-DOCS-END"  # after each command: the marker and the exit status
TIMEOUT = 600  # seconds for one block
BENCH_TIMEOUT = 3600  # a benchmark on a loaded machine takes many minutes

# Output that varies between runs of the same command, and why. Applied to both the text in the
# docs and the fresh output before comparing; nothing else is ignored except runs of spaces
# (columns re-align when a masked figure has more digits) and trailing blank lines.
MASKS: tuple[tuple[str, str], ...] = (
    # the epoch table's last two columns, images/s and seconds: "    1  1.3492  35.9%  1.2746  48.7%  1,050  5.7"
    (r"(?m)^(\s*\d+(?:[ \t]+[\d.]+%?){4})[ \t]+[\d,]+[ \t]+[\d.]+[ \t]*$", r"\1 <n> <s>"),
    # throughput: "1,050 images/s", "3,066 img/s"
    (r"[\d,]+(?:\.\d+)? (images/s|img/s)", r"<n> \1"),
    # elapsed time: "5.7 s of training", "median 2.076 s", "1142 ms"
    (r"\b\d[\d,]*(?:\.\d+)? (s|ms)\b", r"<n> \1"),
    # run names and other time stamps: 20261201-110927, 20261123T114724Z, ISO dates and times
    (r"\b\d{8}[-T]\d{6}Z?\b", "<time>"),
    (r"\b\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:[+-]\d{2}:\d{2}|Z)?)?", "<time>"),
    # days in the stats chart: "Tue 17 Nov"
    (r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b", "<day>"),
    # the whole process's peak memory depends on the allocator and the libraries loaded
    (r"(peak RSS[^\n]*?)[ \t]+[\d.,]+ (MB|GB)", r"\1 <n> \2"),
    # training threads are chosen from the cores that are free at the time
    (r"\bthreads \d+", "threads <n>"),
    # the same figures in --json output
    (r'("(?:seconds|images_per_second|peak_rss_bytes|threads)": )[\d.]+', r"\1<n>"),
    # the seconds column of the CNN-against-dense table: "demo-cnn  24,292  91.9%  21.7"
    (r"(?m)^(\S+[ \t]+[\d,]+[ \t]+[\d.]+%)[ \t]+[\d.]+[ \t]*$", r"\1 <s>"),
    # the seconds column of `cnnquiz runs` (a run name, then the row, then seconds at the end)
    (r"(?m)^(<time>-\S+.*?)[ \t]+[\d.]+[ \t]*$", r"\1 <s>"),
)


def mask(text: str) -> str:
    """The text with what varies between runs replaced, for comparing two outputs."""
    for pattern, replacement in MASKS:
        text = re.sub(pattern, replacement, text)
    text = re.sub(r"[ \t]+", " ", text)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")


@dataclass
class Block:
    """One fenced block of a Markdown file that the generator fills."""

    path: Path  # the Markdown file
    start: int  # line index of the opening fence
    end: int  # line index of the closing fence
    indent: str  # the fence's indentation (blocks inside list items)
    lang: str
    attrs: dict[str, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    body: list[str] = field(default_factory=list)  # lines between the fences, indent removed

    @property
    def name(self) -> str:
        path = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{path}:{self.start + 1}"


    @property
    def kind(self) -> str | None:
        """console, run, file or bench; None for blocks the generator leaves alone."""
        if self.lang == "console":
            return "console"
        if "file" in self.attrs:
            return "file"
        if "run" in self.attrs:
            return "bench" if "bench" in self.flags else "run"
        return None

    def commands(self) -> list[str]:
        """The ``$ `` commands of a console block, continuation lines joined with newlines."""
        commands: list[str] = []
        lines = iter(self.body)
        for line in lines:
            if not line.startswith("$ "):
                continue
            command = line[2:]
            while command.endswith("\\"):
                command += "\n" + next(lines, "")
            commands.append(command)
        return commands


def doc_paths() -> list[Path]:
    paths = [ROOT / "README.md"]
    paths += sorted((ROOT / "docs").glob("*.md"))
    return [p for p in paths if p.exists()]


def parse(path: Path, every: bool = False) -> list[Block]:
    """Every block of ``path`` the generator fills (console, run=, file=); ``every``: all."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        match = re.match(r"^(\s*)(```+)([^`]*)$", lines[i])  # CommonMark: no ` in the info
        if not match:
            i += 1
            continue
        indent, fence, info = match.groups()
        j = i + 1
        while j < len(lines) and lines[j].strip() != fence:
            j += 1
        words = shlex.split(info)
        lang = words[0] if words else ""
        attrs = dict(w.split("=", 1) for w in words[1:] if "=" in w)
        flags = {w for w in words[1:] if "=" not in w}
        body = [ln[len(indent):] if ln.startswith(indent) else ln.lstrip() for ln in lines[i + 1 : j]]
        block = Block(path, i, j, indent, lang, attrs, flags, body)
        if block.kind or every:
            blocks.append(block)
        i = j + 1
    return blocks


def all_blocks() -> list[Block]:
    return [b for p in doc_paths() for b in parse(p)]


# ---------------------------------------------------------------------------- running them

def environment(home: Path) -> dict[str, str]:
    """The fixed environment every command runs in: only what is named here."""
    bin_dir = str(Path(sys.executable).parent)
    return {
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home.parent),
        "CNNQUIZ_HOME": str(home),
        "COLUMNS": "100",
        "LINES": "30",
        "NO_COLOR": "1",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
        "PYTHONUNBUFFERED": "1",  # stdout and stderr interleave in the order they are written
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _scratch(tmp: Path) -> Path:
    """A folder that looks like the repository root (links to its top-level entries)."""
    work = tmp / "repo"
    work.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in (".git", ".venv") and not entry.name.startswith(".pytest"):
            (work / entry.name).symlink_to(entry)
    return work


def _clean(text: str, work: Path, home: Path) -> str:
    text = text.replace(str(home), SHOWN_HOME).replace(str(work) + "/", "").replace(str(work), ".")
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")


def run_block(block: Block) -> list[str]:
    """The block's new body: for a console block each command and what it printed."""
    if block.kind == "file":
        return (ROOT / block.attrs["file"]).read_text(encoding="utf-8").rstrip("\n").splitlines()
    with tempfile.TemporaryDirectory(prefix="cnnquiz-docs-") as tmp_name:
        tmp = Path(tmp_name)
        home = tmp / "home" / "cnnquiz"
        home.mkdir(parents=True)
        work = _scratch(tmp)
        commands = [block.attrs["run"]] if block.kind in ("run", "bench") else block.commands()
        script = ["exec 2>&1"]
        for command in commands:
            script += [command, f"__s=$?; printf '\\n{END} %s\\n' \"$__s\"; (exit $__s)"]
        done = subprocess.run(
            ["bash", "-c", "\n".join(script)],
            cwd=work,
            env=environment(home),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=BENCH_TIMEOUT if block.kind == "bench" else TIMEOUT,
        )
        chunks = done.stdout.split(f"\n{END} ")
        outputs, statuses = [chunks[0]], []
        for chunk in chunks[1:]:
            status, _, rest = chunk.partition("\n")
            statuses.append(int(status))
            outputs.append(rest)
        body: list[str] = []
        for n, command in enumerate(commands):
            output = _clean(outputs[n], work, home)
            status = statuses[n] if n < len(statuses) else -1
            if block.kind == "console":
                following = commands[n + 1] if n + 1 < len(commands) else ""
                if status != 0 and following.strip() != "echo $?":
                    raise RuntimeError(
                        f"{block.name}: `{command}` exited {status}: show it with `$ echo $?` "
                        f"after it\n{output}"
                    )
                body += [f"$ {command}"] if "\n" not in command else f"$ {command}".splitlines()
            elif status != 0:
                raise RuntimeError(f"{block.name}: `{command}` exited {status}\n{output}")
            body += output.splitlines() if output else []
        return body


def matches(block: Block, new_body: list[str]) -> bool:
    if block.kind == "file":
        return block.body == new_body
    return mask("\n".join(block.body)) == mask("\n".join(new_body))


def difference(block: Block, new_body: list[str]) -> str:
    return "\n".join(
        difflib.unified_diff(block.body, new_body, "in the docs", "printed now", lineterm="")
    )


# ---------------------------------------------------------------------------- writing them

def machine() -> str:
    """Where the benchmark figures were measured, in words."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    when = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d")
    return (
        f"measured {when} on {platform.system()} {platform.machine()}, {model or 'CPU'}, "
        f"{cores} cores usable, load average {load:.1f} when it started, "
        f"Python {platform.python_version()}"
    )


def _same_block(a: Block, b: Block) -> bool:
    return (a.lang, a.attrs, a.flags, a.commands()) == (b.lang, b.attrs, b.flags, b.commands())


def _fresh(block: Block, check: bool) -> tuple[list[str] | None, int]:
    """The block's new body when it must be rewritten (None when it matches), and the failures:
    a command that could not run, or a difference under ``--check``."""
    where = machine() if block.kind == "bench" else ""  # the load before it runs
    try:
        new_body = run_block(block)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        print(f"{block.name}: error: {exc}", file=sys.stderr)
        return None, 1
    if block.kind == "bench":
        new_body.append(f"({where})")
    elif matches(block, new_body):
        print(f"{block.name}: ok")
        return None, 0
    if check:
        print(f"{block.name}: differs\n{difference(block, new_body)}")
        return None, 1
    return new_body, 0


def _rewrite(path: Path, blocks: list[Block], rewrites: dict[int, list[str]]) -> int:
    """Write the new bodies into the file as it is now (it may have been edited while the
    commands ran); a block that changed meanwhile is left alone and counted as a failure."""
    failures = 0
    lines = path.read_text(encoding="utf-8").splitlines()
    now = parse(path)
    for index in sorted(rewrites, reverse=True):  # from the end, so line numbers stay right
        block = blocks[index]
        if index >= len(now) or not _same_block(now[index], block):
            print(f"{block.name}: the block changed while it ran; run again", file=sys.stderr)
            failures += 1
            continue
        current = now[index]
        lines[current.start + 1 : current.end] = [
            (current.indent + ln) if ln else "" for ln in rewrites[index]
        ]
        print(f"{current.name}: rewritten")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return failures


def regenerate(paths: list[Path], bench: bool, check: bool) -> int:
    """Run the blocks of ``paths`` (only the benchmarks with ``bench``); rewrite or compare."""
    failures = 0
    for path in paths:
        blocks = parse(path)
        rewrites: dict[int, list[str]] = {}
        for index, block in enumerate(blocks):
            if (block.kind == "bench") != bench:
                continue
            new_body, failed = _fresh(block, check)
            failures += failed
            if new_body is not None:
                rewrites[index] = new_body
        if rewrites:
            failures += _rewrite(path, blocks, rewrites)
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="Markdown files (default: all docs)")
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on a difference")
    parser.add_argument(
        "--bench", action="store_true", help="rerun the benchmark blocks (only those)"
    )
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.paths] or doc_paths()
    return regenerate(paths, args.bench, args.check)


if __name__ == "__main__":
    sys.exit(main())
