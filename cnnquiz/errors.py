"""Errors that reach the user as one line: where, then what was expected."""

from __future__ import annotations


class CnnquizError(Exception):
    """Bad input: a one-line message, exit status 2, never a traceback.

    ``where`` names the place (``net.yaml:4``, ``--in``, ``layer 2``) so the message reads
    ``net.yaml:4: kernel must be a positive integer, got -3``.
    """

    exit_status = 2

    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def at(self, where: str) -> CnnquizError:
        """The same error, located at ``where`` unless it already says where."""
        if self.where is None:
            self.where = where
        return self


class SpecError(CnnquizError):
    """A shape, a layer or a network that cannot be read or cannot work."""

