"""gin files to a network and its training settings: ``configure`` is the lab's one entry point.

A gin file binds the parameters of two configurables, as the course's labs do::

    cnn.filters = (16, 32, 64)      # one conv block per number   (cnnquiz.lab.cnn)
    cnn.pooling = 'gap'             # 'max' | 'gap'
    train.lr = 0.003                # train.* map onto cnnquiz.train.config.TrainConfig
    train.batch_size = 64

``configure(files, bindings)`` reads the files, then the ``--bind`` strings (later ones win),
with the real ``gin-config`` package, and returns a ``LabConfig``: the network as an ordinary
cnnquiz ``Network`` (``calc model`` and ``train`` read it), the ``TrainConfig``, the flat
parameters (``"cnn.filters" -> (16, 32, 64)``, every value used, bound or default: what a
table or MLflow shows) and gin's operative config, the text that repeats the run exactly.

gin keeps its bindings in global state: ``configure`` clears them first and is safe to call
once per trial of a sweep with other bindings (not from two threads at once). Every problem
(a syntax error, an unknown configurable or parameter, a value of the wrong type or range) is a
``SpecError`` naming the file and line, or the ``--bind`` argument. gin itself is imported
inside the functions, so ``cnnquiz --help`` never loads it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

from cnnquiz.errors import SpecError
from cnnquiz.lab.cnn import CNN_DEFAULTS, check_cnn, cnn_network
from cnnquiz.net.network import Network
from cnnquiz.train.config import TrainConfig, from_mapping
from cnnquiz.yamlio import read_text

BUNDLED = Path(__file__).with_name("lab.gin")  # the commented lab file: `--gin lab` names it
OPERATIVE = "operative.gin"  # the run folder's copy of gin's operative config

# train.<name> -> TrainConfig field; the rest of TrainConfig (device, threads, strict) is about
# the machine, not the experiment: the command line's options. ``size`` (the images' pixels)
# changes the result, so operative.gin keeps it.
TRAIN_PARAMS = {
    "epochs": "epochs",
    "batch_size": "batch",
    "lr": "lr",
    "optimizer": "optimizer",
    "momentum": "momentum",
    "weight_decay": "weight_decay",
    "schedule": "schedule",
    "seed": "seed",
    "size": "size",
}
_TRAIN_DEFAULTS = {gin: getattr(TrainConfig(), field) for gin, field in TRAIN_PARAMS.items()}


@dataclass(frozen=True)
class LabConfig:
    """What the gin files and bindings say, checked.

    ``network``: the configurable CNN for ``input_shape`` images and ``classes`` outputs (the
    demo's 32x32x3 and 4 unless given), with ``train`` as its ``train:`` mapping, so
    ``cnnquiz.train.networks.fit_to_data`` fits it to other data as it fits any spec.
    ``params``: ``cnn.*`` then ``train.*``, gin's names, every value the run uses.
    ``operative``: gin's operative config text (``operative.gin`` in the run folder).
    ``sources``: (file name, text) of each gin file read, in order; ``bindings`` as given.
    """

    network: Network
    train: TrainConfig
    params: dict[str, Any]
    operative: str
    sources: tuple[tuple[str, str], ...]
    bindings: tuple[str, ...]

    @property
    def name(self) -> str:
        """The run's name: the first gin file's stem (``lab``), else the network's."""
        if self.sources:
            return Path(self.sources[0][0]).stem
        return self.network.name or "lab"

    def params_text(self) -> dict[str, str]:
        """The params as MLflow and tables show them: ``(16, 32)``, ``gap``, ``0.003``, ``True``."""
        return {k: v if isinstance(v, str) else repr(v) for k, v in self.params.items()}


def resolve_gin(name: str | Path) -> Path:
    """The gin file ``name`` names: a file on disk, else ``lab``/``lab.gin``: the bundled one.

    A ``lab.gin`` in the current folder wins over the bundled file, so a student's edited copy
    is the one used.
    """
    path = Path(name).expanduser()
    if path.is_file():
        return path
    if str(name) in ("lab", "lab.gin"):
        return BUNDLED
    what = "is not a file" if path.exists() else "no such gin file (--gin lab: the bundled lab.gin)"
    raise SpecError(what, str(name))


def shown(name: str) -> str:
    """A gin file's name as output shows it: the bundled one as ``bundled lab.gin``, not by
    where the package happens to be installed."""
    return "bundled lab.gin" if Path(name) == BUNDLED else name


@cache
def _configurables() -> tuple[Callable[..., dict[str, Any]], Callable[..., dict[str, Any]]]:
    """``cnn`` and ``train`` registered with gin once per process (registering twice fails)."""
    import gin  # type: ignore[import-untyped,unused-ignore]

    def cnn(**given: Any) -> dict[str, Any]:
        return given

    def train(**given: Any) -> dict[str, Any]:
        return given

    # gin reads a configurable's parameters from its signature: give each its defaults.
    cnn_fn = _with_defaults(cnn, CNN_DEFAULTS)
    train_fn = _with_defaults(train, _TRAIN_DEFAULTS)
    return (
        gin.external_configurable(cnn_fn, name="cnn", module="cnnquiz"),
        gin.external_configurable(train_fn, name="train", module="cnnquiz"),
    )


def _with_defaults(
    fn: Callable[..., dict[str, Any]], defaults: Mapping[str, Any]
) -> Callable[..., dict[str, Any]]:
    """``fn`` with a signature of keyword parameters ``defaults`` (what gin inspects)."""
    import inspect

    params = [
        inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=v) for k, v in defaults.items()
    ]

    def configurable(**given: Any) -> dict[str, Any]:
        return fn(**(dict(defaults) | given))

    configurable.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    configurable.__name__ = fn.__name__
    configurable.__qualname__ = fn.__name__
    configurable.__module__ = "cnnquiz"
    return configurable


def configure(
    gin_files: Sequence[str | Path],
    bindings: Sequence[str] = (),
    *,
    input_shape: tuple[int, int, int] = (32, 32, 3),
    classes: int = 4,
) -> LabConfig:
    """Read ``gin_files`` then ``bindings`` (``"train.lr = 0.003"``) into a checked ``LabConfig``.

    gin's previous bindings are cleared first, so each call stands alone (a sweep calls it once
    per trial). Files are read as given (``resolve_gin`` finds ``lab``).
    """
    import gin  # type: ignore[import-untyped,unused-ignore]

    cnn, train = _configurables()
    sources = tuple((str(f), read_text(Path(f), "a gin file")) for f in gin_files)
    gin.clear_config()
    try:
        for name, text in sources:
            _parse(text, name)
        for binding in bindings:
            _parse(binding, f"--bind {binding!r}")
        cnn_values, train_values = _call_configurables(cnn, train, sources, bindings)
        operative = gin.operative_config_str()
    finally:
        gin.clear_config()
    where = _locator(sources, bindings)
    settings = _train_config(train_values, where)
    checked = check_cnn(cnn_values, where)
    first = shown(sources[0][0]) if sources else "--bind"
    network = cnn_network(checked, input_shape, classes, _train_mapping(settings), first)
    params = {f"cnn.{k}": v for k, v in checked.items()}
    params |= {f"train.{k}": getattr(settings, f) for k, f in TRAIN_PARAMS.items()}
    return LabConfig(network, settings, params, operative, sources, tuple(bindings))


def _call_configurables(
    cnn: Callable[..., dict[str, Any]],
    train: Callable[..., dict[str, Any]],
    sources: Sequence[tuple[str, str]],
    bindings: Sequence[str],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """gin's values of ``cnn`` and ``train``; what fails while gin makes them (an undefined
    ``%macro``, an ``@reference()`` that needs arguments) as a one-line ``SpecError``."""
    import gin  # type: ignore[import-untyped,unused-ignore]

    try:
        with gin.unlock_config():
            return cnn(), train()
    except (TypeError, ValueError, KeyError) as exc:
        message, _ = _gin_message(exc)
        text = str(exc)
        scope = re.search(r"configurable 'macro' .* in scope '([\w.]+)'", text)
        if scope:  # gin calls an unset %name as a configurable named 'macro', without a value
            name = scope.group(1)
            message = f"%{name} is used but never set: add a line `{name} = <value>`"
            needle = f"%{name}"
        else:
            needle = "@"
        raise SpecError(message, _first_with(needle, sources, bindings)) from None


def _first_with(needle: str, sources: Sequence[tuple[str, str]], bindings: Sequence[str]) -> str:
    """The file:line or ``--bind`` where ``needle`` is written first (the first file if none)."""
    for name, text in sources:
        for number, line in enumerate(text.splitlines(), 1):
            if needle in line.split("#")[0]:
                return f"{name}:{number}"
    for binding in bindings:
        if needle in binding:
            return f"--bind {binding!r}"
    return sources[0][0] if sources else "--bind"


def _train_config(values: Mapping[str, Any], where: Callable[[str], str]) -> TrainConfig:
    """The ``train`` values as a ``TrainConfig``, each checked as a spec's ``train:`` value is."""
    config = TrainConfig()
    for name, value in values.items():
        field = TRAIN_PARAMS[name]
        try:
            config = from_mapping({field: value}, "train", config)
        except SpecError as exc:  # "batch must be ..." said as the gin file names it
            message = exc.message.removeprefix(field)
            raise SpecError(f"train.{name}{message}", where(f"train.{name}")) from None
    return config


def _train_mapping(config: TrainConfig) -> dict[str, Any]:
    """The experiment's settings as a spec's ``train:`` mapping (config.yaml keeps them)."""
    wanted = set(TRAIN_PARAMS.values())
    return {f.name: getattr(config, f.name) for f in fields(config) if f.name in wanted}


_BINDING = re.compile(r"^\s*(?:[\w.]+/)*([\w.]+)\s*=")


def _locator(sources: Sequence[tuple[str, str]], bindings: Sequence[str]) -> Callable[[str], str]:
    """``where("train.lr")``: the file:line or ``--bind`` that set it last, for error messages."""
    found: dict[str, str] = {}
    for name, text in sources:
        for number, line in enumerate(text.splitlines(), 1):
            match = _BINDING.match(line)
            if match:
                found[_short(match.group(1))] = f"{name}:{number}"
    for binding in bindings:
        match = _BINDING.match(binding)
        if match:
            found[_short(match.group(1))] = f"--bind {binding!r}"
    first = sources[0][0] if sources else "gin"
    return lambda key: found.get(key, first)


def _short(selector: str) -> str:
    """``cnnquiz.cnn.filters`` and ``cnn.filters`` alike: the last two parts."""
    return ".".join(selector.split(".")[-2:])


def _parse(text: str, where: str) -> None:
    """One file's text or one binding, into gin's state; its errors as one-line ``SpecError``."""
    import tokenize

    import gin  # type: ignore[import-untyped,unused-ignore]

    for number, line in enumerate(text.splitlines(), 1):
        if _IMPORT.match(line):  # gin would import any installed module the file names
            raise SpecError(
                "import statements are not read: a lab gin file binds cnn.* and train.* only",
                _at(where, number),
            )
    try:
        gin.parse_config(text)
    except SyntaxError as exc:
        raise SpecError(f"gin syntax error: {_syntax(exc)}", _at(where, exc.lineno)) from None
    except tokenize.TokenError:
        raise SpecError("gin syntax error: a bracket or quote is never closed", where) from None
    except (ValueError, TypeError, KeyError, ImportError) as exc:
        message, at_line = _gin_message(exc)
        raise SpecError(message, _at(where, at_line)) from None


_IMPORT = re.compile(r"^\s*(import|from)\s")


def _syntax(exc: SyntaxError) -> str:
    """gin's syntax message in one line: an unquoted word is the common case."""
    text = str(exc.msg or "invalid syntax").strip()
    token = re.search(r"Failed to parse token '(.*)'", text)
    if token:
        return f"cannot read {token.group(1)!r} as a value (text needs quotes: 'max')"
    return text.splitlines()[0].rstrip(".")


_LOCATION = re.compile(r'\n\s*In (?:file "[^"]*", line (\d+)|bindings string line (\d+))')


def _gin_message(exc: BaseException) -> tuple[str, int | None]:
    """gin's message's first line, and the line its location note gives (if any)."""
    text = str(exc)  # gin's proxy adds the location to str(), not to args
    match = _LOCATION.search(text)
    line = int(match.group(1) or match.group(2)) if match else None
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return first.rstrip("."), line


def _at(where: str, line: int | None) -> str:
    if where.startswith("--bind") or not line:
        return where
    return f"{where}:{line}"
