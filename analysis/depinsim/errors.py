"""The errors the package raises, so that callers can catch them by kind.

    try:
        run = depinsim.load_run("out/x.h5")
    except depinsim.NotADepinsimFileError as e:
        print(e)
"""


class DepinsimError(Exception):
    """Base of every error raised by this package."""


class NotADepinsimFileError(DepinsimError, ValueError):
    """The file is not a depinsim output, or not of the kind asked for (a run, an index)."""


class SchemaVersionError(DepinsimError, ValueError):
    """The file was written with a schema_version this package does not read."""


class BinaryNotFoundError(DepinsimError, FileNotFoundError):
    """No depinsim program was found (see `depinsim.find_binary`)."""


class RunFailedError(DepinsimError, RuntimeError):
    """The depinsim program exited with an error; the message ends with its stderr."""

    def __init__(self, command, returncode, stderr):
        self.command = list(command)
        self.returncode = returncode
        self.stderr = stderr
        shown = " ".join(str(c) for c in self.command)
        super().__init__(f"{shown}\nexited with status {returncode}:\n{stderr.strip()}")
