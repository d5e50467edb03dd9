"""The course's lab: a configurable CNN set by gin files, grid and random search over its
hyperparameters, and MLflow tracking beside it."""
