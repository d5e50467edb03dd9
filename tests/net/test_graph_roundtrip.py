"""Random small graphs: what a spec says each layer reads is what the parsed network says, and
writing it back reads back the same network."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cnnquiz.net.spec import network_to_dict, parse_network

_ONE = [{"conv": {"filters": 4, "kernel": 1}}, {"relu": {}}, {"batchnorm": {}}]
_MERGE = [{"add": {}}, {"concat": {}}, {"multiply": {}}]


@st.composite
def graphs(draw: st.DrawFn) -> tuple[list[dict], list[tuple[int, ...]], list[str | None]]:
    """Items (each reading earlier ones by name, offset or ``input``), and what each reads."""
    count = draw(st.integers(1, 10))
    sources: list[tuple[int, ...]] = []
    for i in range(1, count + 1):
        merge = i > 1 and draw(st.booleans())
        width = draw(st.integers(2, 3)) if merge else 1
        sources.append(tuple(draw(st.integers(0, i - 1)) for _ in range(width)))
    unused = sorted(set(range(1, count)) - {j for s in sources for j in s})
    if unused:  # every output but the last is read: a final concat reads the rest
        sources.append((*unused, count))
    names = [draw(st.sampled_from([None, f"n{i}"])) for i in range(1, len(sources) + 1)]
    items = []
    for i, (reads, name) in enumerate(zip(sources, names, strict=True), 1):
        kinds = _MERGE if len(reads) > 1 else _ONE
        item = dict(draw(st.sampled_from(kinds)) if i <= count else {"concat": {}})
        refs = [_ref(j, i, names, draw) for j in reads]
        if len(reads) > 1:
            item["from"] = refs
        elif reads != (i - 1,) or draw(st.booleans()):
            item["from"] = refs[0]
        if name:
            item["name"] = name
        items.append(item)
    return items, sources, names


def _ref(j: int, i: int, names: list[str | None], draw: st.DrawFn) -> str | int:
    """How layer ``i`` may name layer ``j``: ``input``, its name, or an offset."""
    choices: list[str | int] = ["input"] if j == 0 else [j - i]
    if j == i - 1 and i == 1:
        choices.append(-1)  # before the first layer, -1 is the input
    if j and names[j - 1]:
        choices.append(names[j - 1])  # type: ignore[arg-type]
    return draw(st.sampled_from(choices))


@settings(max_examples=80, deadline=None)
@given(graphs())
def test_a_random_graph_reads_as_written_and_back(graph):
    items, sources, names = graph
    net = parse_network({"input": "8x8x4", "layers": items})
    chain = all(s == (i,) for i, s in enumerate(sources))
    assert net.inputs == (() if chain else tuple(sources))
    assert [net.sources(i) for i in range(1, len(sources) + 1)] == sources
    assert net.names == (tuple(names) if any(names) else ())
    again = parse_network(network_to_dict(net))
    assert again == net and again.names == net.names
    assert network_to_dict(again) == network_to_dict(net)
