"""Modal dialogs of the app: help and exam set-up."""
