"""cnnquiz: exam prep for neural networks and CNNs.

The domain modules (spec, arithmetic, bank, progress, train) import no face (Rich, Textual),
and nothing imports torch until a figure has to be verified or a network trained.
"""

__version__ = "0.1.0"
