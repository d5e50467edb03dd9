"""The course's lab: a configurable CNN set by gin files, grid and random search over its
hyperparameters, and MLflow tracking beside it.

- ``gin_config``: ``configure(gin_files, bindings) -> LabConfig`` (network, ``TrainConfig``,
  flat params, operative config); ``resolve_gin("lab")`` finds the bundled ``lab.gin``.
- ``cnn``: the configurable CNN's values checked and written as an ordinary network spec.
- ``experiment``: ``load_data`` once, then ``make_plan`` per configuration, for
  ``cnnquiz.train.run.execute``.
- ``space``: ``--grid`` values and space files (``uniform``, ``loguniform``, ``choice``) as
  trials of gin bindings; ``sweep``: the trials trained on the data read once, compared on
  validation, the best alone tested; ``record``: ``sweep.json`` and the table both faces show;
  ``setups``: a trial's bindings through ``configure``.
- MLflow: ``cnnquiz.train.tracking.Tracking`` (in ``train``, below the lab, because
  ``execute`` logs every run through it): runs, nested runs for a sweep, one warning on failure.
"""
