"""Named accounts for the office server: who may sign in, in which roles, who is signed in now.

One SQLite file in the desk's data folder (``accounts.sqlite3``, owner-only) holds

- the accounts: name, roles, a salted slow hash of the password (Werkzeug's scrypt: the
  password itself is never stored), enabled or not;
- the sessions: who is signed in, under the SHA-256 of a random token only the browser
  holds.  A session is a row: signing out, a password change and disabling an account
  delete the person's rows, so the very next request from any of their browsers is
  signed out, in every worker thread and after a restart alike;
- the recent wrong passwords, per account and per client address (the lock-out);
- the last sign-ins and refusals with their address, for the 管理员 to read.

The command line (``sscard users``) and the desk's 账户 page make the same calls here, so
an account disabled from a terminal is signed out of a running desk at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import sqlite3
import time
import unicodedata
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from werkzeug.security import check_password_hash, generate_password_hash

from engine.errors import SscardError

CLERK, AUDITOR, POLICY, ADMIN = "经办", "审计", "政策", "管理员"
ROLES = (CLERK, AUDITOR, POLICY, ADMIN)
FILE_NAME = "accounts.sqlite3"
PASSWORD_ENV = "SSCARD_NEW_PASSWORD"  # a new password for scripts (`sscard users add`, `users password`)
MIN_PASSWORD = 8
MAX_NAME = 40
MAX_FAILURES = 5  # wrong passwords for one account, or from one address, ...
FAILURE_WINDOW = 15 * 60  # ... within this many seconds lock it out until they age out
IDLE_LIMIT = 8 * 3600  # a session unused for a working day ends
SESSION_LIMIT = 12 * 3600  # and none outlives one long day
SIGN_INS_KEPT = 1000
_TOUCH_EVERY = 60  # seconds between writes of a session's last use

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    name TEXT PRIMARY KEY,
    roles TEXT NOT NULL,
    password TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    created TEXT NOT NULL,
    last_sign_in TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created REAL NOT NULL,
    seen REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS failures (kind TEXT NOT NULL, key TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sign_ins (at TEXT NOT NULL, name TEXT NOT NULL, address TEXT NOT NULL, outcome TEXT NOT NULL);
"""


class AccountError(SscardError):
    """An account cannot be made or changed as asked; the message says why."""


class SignInRefused(SscardError):
    """Wrong name or password, a locked-out account or address, a disabled account."""


@dataclass(frozen=True)
class Account:
    name: str
    roles: tuple[str, ...]
    enabled: bool
    created: str
    last_sign_in: str | None

    def has(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)


@dataclass(frozen=True)
class SignIn:
    at: str
    name: str
    address: str
    outcome: str


def clean_name(name: str) -> str:
    """A person's name as it is kept and shown: NFC, no control or invisible characters."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name or len(name) > MAX_NAME or any(unicodedata.category(ch)[0] == "C" for ch in name):
        raise AccountError(f"姓名「{name}」不可用:须为 1–{MAX_NAME} 个字,不含控制字符或不可见字符")
    return name


def password_problem(name: str, password: str) -> str:
    """Why ``password`` may not be ``name``'s password; empty when it may."""
    if len(password) < MIN_PASSWORD:
        return f"密码太短:至少 {MIN_PASSWORD} 个字符"
    if password.strip().casefold() == name.strip().casefold():
        return "密码不能与姓名相同"
    return ""


def roles_of(roles: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(role for role in ROLES if role in set(roles))
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise AccountError(f"没有角色「{'、'.join(sorted(unknown))}」;角色可为 {'、'.join(ROLES)}")
    if not chosen:
        raise AccountError(f"请至少给一个角色:{'、'.join(ROLES)}")
    return chosen


def _now_text() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _token_key(token: str) -> str:
    # Only the digest is kept: a copy of this file does not let anyone take over a session.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Accounts:
    def __init__(self, folder: Path):
        self.path = Path(folder) / FILE_NAME

    # --- the file ------------------------------------------------------------------

    @contextmanager
    def _db(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        if not self.path.exists():
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Created owner-only whatever the umask: it holds password hashes and sessions.
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        try:
            connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        except sqlite3.Error as error:
            raise AccountError(f"无法打开账户文件 {self.path}({error});请检查数据目录的权限") from None
        with closing(connection):
            try:
                connection.executescript(_SCHEMA)
                if write:
                    connection.execute("BEGIN IMMEDIATE")
                yield connection
                if write:
                    connection.execute("COMMIT")
            except sqlite3.Error as error:
                raise AccountError(f"账户文件 {self.path} 读写失败({error});请检查磁盘空间和数据目录的权限") from None
            finally:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")

    # --- accounts ------------------------------------------------------------------

    def exist(self) -> bool:
        """Whether any account was ever made: from then on everybody signs in."""
        if not self.path.exists():
            return False
        with self._db() as db:
            return db.execute("SELECT 1 FROM accounts LIMIT 1").fetchone() is not None

    def all(self) -> list[Account]:
        with self._db() as db:
            rows = db.execute("SELECT name, roles, enabled, created, last_sign_in FROM accounts ORDER BY created")
            return [_account(row) for row in rows]

    def get(self, name: str) -> Account | None:
        with self._db() as db:
            return self._get(db, name)

    def _get(self, db: sqlite3.Connection, name: str) -> Account | None:
        row = db.execute("SELECT name, roles, enabled, created, last_sign_in FROM accounts WHERE name = ?",
                         (name,)).fetchone()
        return _account(row) if row else None

    def _existing(self, db: sqlite3.Connection, name: str) -> Account:
        account = self._get(db, name)
        if account is None:
            raise AccountError(f"没有账户「{name}」")
        return account

    def add(self, name: str, roles: Iterable[str], password: str) -> Account:
        name, roles = clean_name(name), roles_of(roles)
        _refuse_password(name, password)
        hashed = generate_password_hash(password)
        with self._db(write=True) as db:
            if self._get(db, name) is not None:
                raise AccountError(f"账户「{name}」已存在;改密码、角色或启用请对该账户操作")
            if db.execute("SELECT 1 FROM accounts LIMIT 1").fetchone() is None and ADMIN not in roles:
                raise AccountError(f"第一个账户须有「{ADMIN}」角色,否则没有人能管理账户和设置")
            db.execute("INSERT INTO accounts (name, roles, password, created) VALUES (?, ?, ?, ?)",
                       (name, "、".join(roles), hashed, _now_text()))
            return self._existing(db, name)

    def set_password(self, name: str, password: str) -> int:
        """A new password; every session of the account ends (returns how many)."""
        _refuse_password(name, password)
        hashed = generate_password_hash(password)
        with self._db(write=True) as db:
            self._existing(db, name)
            db.execute("UPDATE accounts SET password = ? WHERE name = ?", (hashed, name))
            return db.execute("DELETE FROM sessions WHERE name = ?", (name,)).rowcount

    def change_own_password(self, name: str, current: str, new: str) -> int:
        """The person changes their own password, proving the current one first."""
        with self._db() as db:
            row = db.execute("SELECT password FROM accounts WHERE name = ?", (name,)).fetchone()
        if row is None or not check_password_hash(row[0], current):
            raise AccountError("当前密码不对")
        if new == current:
            raise AccountError("新密码须与当前密码不同")
        return self.set_password(name, new)

    def set_roles(self, name: str, roles: Iterable[str]) -> Account:
        roles = roles_of(roles)
        with self._db(write=True) as db:
            self._existing(db, name)
            if ADMIN not in roles:
                self._keep_an_admin(db, name)
            db.execute("UPDATE accounts SET roles = ? WHERE name = ?", ("、".join(roles), name))
            return self._existing(db, name)

    def disable(self, name: str) -> int:
        """The account can no longer sign in; its sessions end (returns how many)."""
        with self._db(write=True) as db:
            self._existing(db, name)
            self._keep_an_admin(db, name)
            db.execute("UPDATE accounts SET enabled = 0 WHERE name = ?", (name,))
            return db.execute("DELETE FROM sessions WHERE name = ?", (name,)).rowcount

    def enable(self, name: str) -> None:
        with self._db(write=True) as db:
            self._existing(db, name)
            db.execute("UPDATE accounts SET enabled = 1 WHERE name = ?", (name,))

    def _keep_an_admin(self, db: sqlite3.Connection, leaving: str) -> None:
        others = [a for a in map(_account, db.execute(
            "SELECT name, roles, enabled, created, last_sign_in FROM accounts WHERE name != ?", (leaving,)))
            if a.enabled and a.has(ADMIN)]
        if not others and self._existing(db, leaving).has(ADMIN):
            raise AccountError(f"「{leaving}」是唯一在用的{ADMIN}:请先给另一个在用的账户{ADMIN}角色,"
                               "否则没有人能管理账户和设置")

    # --- signing in and out --------------------------------------------------------

    def sign_in(self, name: str, password: str, address: str, now: float | None = None) -> str:
        """A new session's token for ``name``, or SignInRefused saying why.  Wrong passwords
        count against the account and against the client address; either one with
        MAX_FAILURES within FAILURE_WINDOW is refused until the oldest ages out."""
        now = time.time() if now is None else now
        name = unicodedata.normalize("NFC", name or "").strip()
        with self._db(write=True) as db:
            db.execute("DELETE FROM failures WHERE at < ?", (now - FAILURE_WINDOW,))
            wait = max(self._lock(db, "account", name, now), self._lock(db, "address", address, now))
            if wait:
                self._log(db, name, address, "锁定中,拒绝")
            row = db.execute("SELECT password, enabled FROM accounts WHERE name = ?", (name,)).fetchone()
        if wait:
            raise SignInRefused(f"密码错误次数过多,已暂时锁定;请 {wait} 分钟后再试,或请管理员确认账户")
        # The slow hash outside the write lock; an unknown name costs the same time as a known one.
        right = check_password_hash(row[0] if row else _decoy(), password)
        refusal, token = "", secrets.token_urlsafe(32)
        with self._db(write=True) as db:  # what is recorded here stays recorded when the sign-in is refused
            if not (row and right):
                db.executemany("INSERT INTO failures VALUES (?, ?, ?)",
                               [("account", name, now), ("address", address, now)])
                self._log(db, name, address, "密码错误")
                refusal = "姓名或密码不对"
            elif not row[1]:
                self._log(db, name, address, "账户已停用,拒绝")
                refusal = "您的账户已停用;请联系管理员"
            else:
                db.execute("DELETE FROM failures WHERE (kind = 'account' AND key = ?) "
                           "OR (kind = 'address' AND key = ?)", (name, address))
                db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)", (_token_key(token), name, now, now))
                db.execute("UPDATE accounts SET last_sign_in = ? WHERE name = ?", (_now_text(), name))
                self._log(db, name, address, "登录")
        if refusal:
            raise SignInRefused(refusal)
        return token

    def _lock(self, db: sqlite3.Connection, kind: str, key: str, now: float) -> int:
        """Minutes until ``key`` may try again; 0 when it is not locked out."""
        times = [at for (at,) in db.execute("SELECT at FROM failures WHERE kind = ? AND key = ? ORDER BY at DESC",
                                            (kind, key))]
        if len(times) < MAX_FAILURES:
            return 0
        return max(1, -(-int(times[MAX_FAILURES - 1] + FAILURE_WINDOW - now) // 60))

    def _log(self, db: sqlite3.Connection, name: str, address: str, outcome: str) -> None:
        db.execute("INSERT INTO sign_ins VALUES (?, ?, ?, ?)", (_now_text(), name[:MAX_NAME * 2], address, outcome))
        db.execute("DELETE FROM sign_ins WHERE rowid <= (SELECT MAX(rowid) FROM sign_ins) - ?", (SIGN_INS_KEPT,))

    def session(self, token: str, now: float | None = None) -> Account | None:
        """The enabled account signed in with ``token``, or None (never was, signed out,
        ended by a password change or disabling, or expired)."""
        now = time.time() if now is None else now
        key = _token_key(token)
        with self._db() as db:
            found = db.execute("SELECT name, created, seen FROM sessions WHERE token = ?", (key,)).fetchone()
            if found is None:
                return None
            name, created, seen = found
            account = self._get(db, name)
            if account is None or not account.enabled or now - seen > IDLE_LIMIT or now - created > SESSION_LIMIT:
                db.execute("DELETE FROM sessions WHERE token = ?", (key,))
                return None
            if now - seen > _TOUCH_EVERY:
                db.execute("UPDATE sessions SET seen = ? WHERE token = ?", (now, key))
            return account

    def sign_out(self, token: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE token = ?", (_token_key(token),))

    def sign_ins(self, limit: int = 50) -> list[SignIn]:
        """The latest sign-ins and refusals, newest first."""
        with self._db() as db:
            return [SignIn(*row) for row in db.execute(
                "SELECT at, name, address, outcome FROM sign_ins ORDER BY rowid DESC LIMIT ?", (limit,))]


def _account(row) -> Account:
    name, roles, enabled, created, last_sign_in = row
    return Account(name, tuple(r for r in roles.split("、") if r), bool(enabled), created, last_sign_in)


def _refuse_password(name: str, password: str) -> None:
    problem = password_problem(name, password)
    if problem:
        raise AccountError(problem)


_DECOY: list[str] = []


def _decoy() -> str:
    if not _DECOY:
        _DECOY.append(generate_password_hash(secrets.token_hex(16)))
    return _DECOY[0]
