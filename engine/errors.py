"""The engine's own exceptions. The CLI maps each to an exit code once."""


class SscardError(Exception):
    """Something a person must fix before sscard can go on; the message says what."""

    exit_code = 2


class UnreadableWorkbook(SscardError):
    """The file is not a workbook sscard can read safely (not xlsx, encrypted, a bomb...)."""


class PasswordNeeded(UnreadableWorkbook):
    """The workbook is password-protected and no password was given."""


class WrongPassword(UnreadableWorkbook):
    """The password given does not open the workbook."""


class MissingColumns(SscardError):
    """The batch sheet lacks columns the schema requires, or has one twice."""


class RulebookError(SscardError):
    """A rulebook declaration is wrong; names the rule or file.  ``problems`` lists every
    problem found (the message says the first), for `sscard rules lint`."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or [message]


class EngineFailure(Exception):
    """durable-rules failed inside an action: a bug, never a decision."""
