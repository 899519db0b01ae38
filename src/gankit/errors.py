"""User-facing errors.

A `GankitError` is a mistake the user can fix (a bad key, a missing file, a checkpoint that does not fit):
its message is one line that names the file, key or value. The CLI prints it without a traceback and
exits with status 2. Bugs raise ordinary exceptions.
"""


class GankitError(Exception):
    """A user mistake; the message is one line naming the problem."""


class ConfigError(GankitError):
    """An unknown key, a bad value or an unknown recipe."""


class DataError(GankitError):
    """Missing, empty or corrupt data."""


class CheckpointError(GankitError):
    """A checkpoint that is missing, corrupt or does not fit the model."""


class RunFolderError(GankitError):
    """A run folder that would be overwritten, or is not a run."""


class TrainingInterrupted(GankitError):
    """The user interrupted the run (Ctrl-C); a checkpoint of the last finished step was written.
    The CLI exits with 130 (128 + SIGINT), as a shell reports a command stopped by Ctrl-C."""


class MissingAssetError(DataError):
    """A data set or frozen network gankit can install (``gankit assets install NAME``) is not present."""
