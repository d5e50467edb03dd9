"""A computed question's variants: the template they are drawn from, and each draw.

The network a template writes is parsed once per question, not once per draw: each layer of a
chain is read once for each set of values of the variables it uses, and a network is analysed
once for each distinct set of values (the parts of an item share it, as they share their
draws). A graph (``blocks``, or a layer with ``name``, ``from`` or ``repeat``) is parsed whole
for each distinct set of values, at its first draw: a layer's meaning depends on the layers it
names, so it cannot be read alone. The memo holds only what the template makes from its own
text, so a drawn variant is the same with or without it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from cnnquiz import lines
from cnnquiz.bank import computed
from cnnquiz.bank.asks import AskOptions, Solution, evaluate
from cnnquiz.bank.authored import KeyRules, ask_options
from cnnquiz.errors import CnnquizError, SpecError
from cnnquiz.net.items import GRAPH_KEYS
from cnnquiz.net.network import Shape
from cnnquiz.net.spec import Layer, Network, parse_network, parse_shape

if TYPE_CHECKING:
    from cnnquiz.net.figures import NetworkFigures

_MEMO_LIMIT = 512  # networks kept per template; a long quiz draws fresh seeds without end


class NetworkTemplate:
    """A network as written with ``{var}`` placeholders, parsed once per question.

    A chain's layers are parsed one by one, each once for each set of values of the variables
    it uses (a layer without any, once): a variant is the template's network with the layers
    its values change. A template whose placeholders sit elsewhere (the name, an inline string
    of layers) or that writes a graph is parsed whole, once per distinct network, and nothing
    is parsed before the first draw (loading a bank stays as fast with graphs in it). Whatever
    cannot be read is read again whole, so that a variant's error is the one the whole network
    gives."""

    def __init__(self, raw: Any) -> None:
        self._read(raw)

    def _read(self, raw: Any) -> None:
        self.raw = raw  # a mapping, or what the author wrote instead (parse_network says why)
        self.names = tuple(sorted(computed.names_in(raw)))
        self._layer_names = _layer_names(raw) if isinstance(raw, Mapping) else None
        written_input = raw.get("input") if isinstance(raw, Mapping) else None
        self._input_names = tuple(sorted(computed.names_in(written_input)))
        self._bases: dict[str, Network] = {}  # by source: a whole parse, for name and train
        self._parts: dict[tuple[Any, ...], Any] = {}  # an input shape or a layer, by its values
        self._networks: dict[tuple[Any, ...], Network | SpecError] = {}
        self._figures: dict[tuple[Any, ...], NetworkFigures | SpecError] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"raw": self.raw}  # the memo is rebuilt, not stored

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._read(state["raw"])

    def network(self, values: Mapping[str, Any], source: str) -> Network:
        """The network ``values`` make; SpecError (the same each time) if it cannot be one."""
        key = _key(self.names, values, source)
        made = self._networks.get(key)
        if made is None:
            made = self._made(values, source)
            _remember(self._networks, key, made)
        if isinstance(made, SpecError):
            raise made
        return made

    def figures(self, values: Mapping[str, Any], source: str, dtype: str) -> NetworkFigures:
        """The calculator's figures of that network in ``dtype``; SpecError if it cannot work."""
        key = (*_key(self.names, values, source), dtype)
        made = self._figures.get(key)
        if made is None:
            try:
                from cnnquiz.net.arithmetic import analyze  # the calculator, at the first draw

                made = analyze(self.network(values, source), dtype)
            except SpecError as exc:
                made = exc
            _remember(self._figures, key, made)
        if isinstance(made, SpecError):
            raise made
        return made

    def _made(self, values: Mapping[str, Any], source: str) -> Network | SpecError:
        base = self._bases.get(source)
        if self._layer_names is None or base is None:
            return self._whole(values, source)
        try:
            shape = self._part(self._input_names, ("input",), values, source, self._input)
            layers = tuple(
                self._part(names, (i,), values, source, partial(self._layer, i))
                for i, names in enumerate(self._layer_names)
            )
        except SpecError:
            return self._whole(values, source)
        return replace(base, input=shape, layers=layers)

    def _whole(self, values: Mapping[str, Any], source: str) -> Network | SpecError:
        try:
            network = parse_network(computed.substitute(self.raw, values), source)
        except SpecError as exc:
            return exc
        if self._layer_names is not None and source not in self._bases:
            self._bases[source] = network
            for i, names in enumerate(self._layer_names):
                self._parts[(i, *_key(names, values, source))] = network.layers[i]
            self._parts[("input", *_key(self._input_names, values, source))] = network.input
        return network

    def _part(
        self,
        names: tuple[str, ...],
        which: tuple[Any, ...],
        values: Mapping[str, Any],
        source: str,
        parse: Callable[[Mapping[str, Any], str], Any],
    ) -> Any:
        key = (*which, *_key(names, values, source))
        made = self._parts.get(key)
        if made is None:
            made = parse(values, source)
            _remember(self._parts, key, made)
        return made

    def _input(self, values: Mapping[str, Any], source: str) -> Shape:
        return parse_shape(computed.substitute(self.raw["input"], values), source)

    def _layer(self, index: int, values: Mapping[str, Any], source: str) -> Layer:
        """Layer ``index`` read as the whole network reads it (its line, its ``where``)."""
        layers = self.raw["layers"]
        one = lines.LineList([computed.substitute(layers[index], values)])
        one.line = layers.line
        one.item_lines = [layers.item_lines[index]]
        network = lines.LineDict(input=1, layers=one)
        network.line = getattr(self.raw, "line", 0)
        network.key_lines = {}
        return parse_network(network, source).layers[0]


def _layer_names(raw: Mapping[str, Any]) -> tuple[tuple[str, ...], ...] | None:
    """The variables each layer uses, or None when the template must be parsed whole."""
    layers = raw.get("layers")
    elsewhere = computed.names_in({k: v for k, v in raw.items() if k not in ("input", "layers")})
    if elsewhere or not isinstance(layers, lines.LineList) or not layers or _is_graph(raw):
        return None
    if len(getattr(layers, "item_lines", ())) != len(layers):
        return None
    return tuple(tuple(sorted(computed.names_in(item))) for item in layers)


_INLINE_GRAPH = re.compile(r"(?:^|[\s,(])(?:name|from|repeat)\s*=")
"""The same keys in a layer written inline: ``conv 64 k3 name=a``, ``add from=a,-1``."""


def _is_graph(raw: Mapping[str, Any]) -> bool:
    """Whether the template writes a graph: blocks, or a layer that names, reads or repeats."""
    if "blocks" in raw:
        return True
    return any(_places(item) for item in raw["layers"])


def _places(item: Any) -> bool:
    """Whether a layer item says where it sits (name, from, repeat), as a mapping or inline."""
    if isinstance(item, Mapping):
        return any(k in item for k in GRAPH_KEYS)
    return isinstance(item, str) and bool(_INLINE_GRAPH.search(item))


def _key(names: tuple[str, ...], values: Mapping[str, Any], source: str) -> tuple[Any, ...]:
    # 1, 1.0 and True are equal keys in a dict but not in a spec: the type is part of it
    return (source, *((type(values[n]), values[n]) for n in names if n in values))


def _remember(memo: dict[tuple[Any, ...], Any], key: tuple[Any, ...], made: Any) -> None:
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[key] = made


@dataclass(frozen=True)
class Template:
    """What a computed question's variants are drawn from: the network and the ask options
    as written (with ``{var}`` placeholders), and the values each variable takes."""

    network: NetworkTemplate = field(compare=False)
    ask: str
    options: Mapping[str, Any]  # layer, batch, optimizer, dtype as written
    var_lists: Mapping[str, Sequence[Any]]
    rules: KeyRules
    # the options once for all draws when no var changes them and they are valid (an invalid
    # one is refused at the draw, as before: bank check reports it as a failed self-test)
    fixed_options: AskOptions | None = None

    def ask_options(self, values: Mapping[str, Any]) -> AskOptions:
        return self.fixed_options or ask_options(self.options, values)


def template_options(options: Mapping[str, Any]) -> AskOptions | None:
    """The options every draw has, if no var changes them and they are valid."""
    if computed.names_in(dict(options)):
        return None
    try:
        return ask_options(options)
    except CnnquizError:
        return None


@dataclass(frozen=True)
class Variant:
    """One draw of a computed question: its values, the network they make, its solution."""

    values: dict[str, Any]
    network: Network
    options: AskOptions
    solution: Solution


def draw_variant(template: Template, rng_key: str, seed: int, source: str, where: str) -> Variant:
    """The variant of ``seed`` (redrawn while invalid); parts of an item share ``rng_key``."""
    rng = computed.rng_for(rng_key, seed)
    last: SpecError | None = None
    for _ in range(computed.MAX_DRAWS):
        values = computed.draw(template.var_lists, rng)
        try:
            network = template.network.network(values, source)
            options = template.ask_options(values)
            fig = template.network.figures(values, source, options.dtype)
            solution = evaluate(network, template.ask, options, fig)
            return Variant(values, network, options, solution)
        except SpecError as exc:
            last = exc
    raise SpecError(f"no valid variant in {computed.MAX_DRAWS} draws; the last: {last}", where)
