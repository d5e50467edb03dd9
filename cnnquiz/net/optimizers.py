"""The optimizers cnnquiz knows, declared once: the state each keeps, and which it trains with.

The RAM rules count an optimizer's state per trainable parameter (Geron, Hands-On ML, ch. 14);
the training demo and the app's calculator offer the ones the course teaches.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Optimizer:
    name: str
    state: int  # values of state kept per trainable parameter, beside its gradient
    description: str
    course: bool = False  # taught by the course: the app's calculator offers it, training runs it


OPTIMIZERS: tuple[Optimizer, ...] = (
    Optimizer("sgd", 0, "plain gradient descent: no state", course=True),
    Optimizer("momentum", 1, "SGD with momentum: one velocity per parameter", course=True),
    Optimizer("nesterov", 1, "Nesterov momentum: one velocity per parameter"),
    Optimizer("rmsprop", 1, "RMSProp: a running mean of squared gradients"),
    Optimizer("adam", 2, "Adam: running means of the gradient and its square", course=True),
    Optimizer("adamw", 2, "AdamW: Adam's two running means, decoupled weight decay"),
)

OPTIMIZER_STATE: dict[str, int] = {o.name: o.state for o in OPTIMIZERS}
"""Values of optimizer state kept per trainable parameter, by name."""

COURSE_OPTIMIZERS: tuple[str, ...] = tuple(o.name for o in OPTIMIZERS if o.course)
"""sgd, momentum and adam: what the training demo runs and the app's calculator offers."""
