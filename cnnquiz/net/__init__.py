"""The network room: layers and their parsing, the arithmetic of shapes, parameters, memory and receptive fields. Pure Python, no torch."""
