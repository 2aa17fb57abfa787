"""The engine's own exceptions. The CLI maps each to an exit code once."""

import errno


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


class EmptyBatch(SscardError):
    """The batch has a header and no request row (an unfilled template): nothing to decide."""


class RulebookError(SscardError):
    """A rulebook declaration is wrong; names the rule or file.  ``problems`` lists every
    problem found (the message says the first), for `sscard rules lint`."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or [message]


class EngineFailure(Exception):
    """durable-rules failed inside an action: a bug, never a decision."""


_REASONS = {
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "超出磁盘配额",
    errno.EACCES: "没有访问权限",
    errno.EPERM: "没有权限",
    errno.EROFS: "只读的文件系统",
    errno.ENOENT: "文件或文件夹不存在",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EISDIR: "是文件夹",
    errno.EIO: "输入输出错误(磁盘或网络故障)",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EBUSY: "文件正被占用",
}


def describe_os_error(error: OSError) -> str:
    """An operating-system error in words a clerk reads (never the English strerror alone)."""
    if error.errno is None:
        return "系统错误"
    return _REASONS.get(error.errno, f"系统错误 {errno.errorcode.get(error.errno, error.errno)}")
