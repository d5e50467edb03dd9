"""One module per screen. Top-level screens are listed in ``cnnquiz.app.registry``."""
