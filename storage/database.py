"""The engine, sessions and the unit of work."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.dialect import new_engine
from storage.models import CURRENT_ROSTER_VERSION

_ROSTER_VERSION_SQL = str(
    CURRENT_ROSTER_VERSION.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
)

# What a database that is down or unreachable raises: said in one log line per attempt, never a
# traceback (the code is fine; the server is not).
UNAVAILABLE = (OperationalError, OSError, TimeoutError)


def one_line(exc: BaseException) -> str:
    """One line for a log: the exception's own first line, not its traceback."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


# How long a unit of work waits for SQLite's one write lock, in seconds. A job or the CLI may wait
# long (another process's import, a sweep); a request must still answer Slack within 3 s, so the
# request path gives all its writes together one deadline (write_deadline, a time.monotonic() value,
# set by bot.slackapp.middleware) and says plainly that it could not save when that passes.
LONG_WAIT = 30.0
# Past the deadline a write still gets this long: a free lock is taken at once.
LEAST_WAIT = 0.1
write_deadline: ContextVar[float | None] = ContextVar("write_deadline", default=None)


def write_wait() -> float:
    """How long the current task's next write may wait for the lock (tenths of a second, so that
    few distinct waits are ever configured)."""
    deadline = write_deadline.get()
    if deadline is None:
        return LONG_WAIT
    return max(LEAST_WAIT, round(deadline - time.monotonic(), 1))


class Busy(Exception):
    """SQLite's write lock was not free within the unit of work's wait: nothing was written."""


class Database:
    """One engine per process. Sessions are opened by the unit of work, never kept between requests."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        # The SQLite file the roster's version is read from in place (roster_version()); mode=rw never
        # creates it (the pool's connections open the database first).
        self._version_file: str | None = None
        if self.is_sqlite and parsed.database not in (None, "", ":memory:"):
            self._version_file = Path(parsed.database).absolute().as_uri() + "?mode=rw"
        self._version_reader: sqlite3.Connection | None = None
        self._version_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="roster-version")
        kwargs: dict = {"echo": echo}
        if self.is_sqlite:
            # Each aiosqlite connection is a thread of its own and opens with four PRAGMAs, so the pool
            # keeps enough of them for a busy moment instead of opening and closing overflow ones.
            kwargs.update(connect_args={"timeout": LONG_WAIT}, pool_size=20, max_overflow=20)
        else:
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        self.engine: AsyncEngine = new_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._bounded_sessions: dict[float, async_sessionmaker[AsyncSession]] = {LONG_WAIT: self._sessions}
        # SQLite has one writer at a time, and a writer that finds the lock taken sleeps in SQLite's
        # busy handler (in steps of up to 100 ms). Our own writers queue here instead, in order, and
        # the busy timeout is left for other processes (the CLI beside a running bot).
        self._writers = asyncio.Lock() if self.is_sqlite else contextlib.nullcontext()
        self._readers = async_sessionmaker(
            self.engine.execution_options(teamops_read_only=True), expire_on_commit=False
        )

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed when the block ends, rolled back if it raises.
        On SQLite, Busy when the write lock is not free within `write_wait`; nothing is written then."""
        if not self.is_sqlite:
            async with self._sessions() as session, session.begin():
                yield session
            return
        wait = write_wait()
        try:
            async with asyncio.timeout(wait):
                await self._writers.acquire()
        except TimeoutError:
            raise Busy(f"this process's writers held the lock for {wait} s") from None
        try:
            async with self._sessions_waiting(wait)() as session, session.begin():
                try:
                    await session.connection()  # BEGIN IMMEDIATE: where the lock is waited for
                except OperationalError as exc:
                    if "locked" in str(exc.orig):
                        raise Busy(f"another process held the database's write lock for {wait} s") from None
                    raise
                yield session
        finally:
            self._writers.release()

    def _sessions_waiting(self, wait: float) -> async_sessionmaker[AsyncSession]:
        sessions = self._bounded_sessions.get(wait)
        if sessions is None:
            engine = self.engine.execution_options(teamops_busy_ms=int(wait * 1000))
            sessions = self._bounded_sessions[wait] = async_sessionmaker(engine, expire_on_commit=False)
        return sessions

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[AsyncSession]:
        """A session for reads only; nothing it does is committed."""
        async with self._readers() as session:
            yield session

    async def roster_version(self) -> int | None:
        """The roster's version (models.RosterVersion), or None when it cannot be told just now.

        Every request asks, so on a SQLite file it is read in place from a connection kept for it, in
        a thread of its own (no database call runs on the event loop's thread): one hand-off, where a
        pooled aiosqlite read costs several hand-offs and SQLAlchemy's statement handling. A reader in
        WAL mode never waits for the writer; in the rare moment it would (another connection
        recovering the WAL), the read fails at once and the answer is None.
        """
        if self._version_file is None:
            async with self.engine.connect() as conn:
                return await conn.scalar(CURRENT_ROSTER_VERSION)
        return await asyncio.get_running_loop().run_in_executor(self._version_thread, self._read_version)

    def _read_version(self) -> int | None:
        try:
            if self._version_reader is None:
                self._version_reader = sqlite3.connect(
                    self._version_file,
                    uri=True,
                    timeout=0,  # the busy moment above: fail, don't wait
                    isolation_level=None,
                    check_same_thread=False,
                )
                self._version_reader.execute("PRAGMA query_only=ON")
            # fetchall, not fetchone: the statement runs to its end, so no read stays open
            rows = self._version_reader.execute(_ROSTER_VERSION_SQL).fetchall()
        except sqlite3.Error:
            return None
        return rows[0][0] if rows else None

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def dispose(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._version_thread, self._close_version_reader)
        self._version_thread.shutdown(wait=False)
        await self.engine.dispose()

    def _close_version_reader(self) -> None:
        if self._version_reader is not None:
            self._version_reader.close()
            self._version_reader = None


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # The driver's own transaction handling is switched off so that _sqlite_begin decides how to begin.
    dbapi_connection.isolation_level = None
    # WAL lets readers run beside the one writer; foreign keys are off in SQLite unless asked for.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(LONG_WAIT * 1000)}")
    cursor.close()


def _sqlite_begin(conn) -> None:
    # A unit of work takes the write lock when it begins: a deferred transaction that reads and then
    # writes fails at once (SQLITE_BUSY_SNAPSHOT) when another writer committed in between.
    options = conn.get_execution_options()
    if options.get("teamops_read_only", False):
        conn.exec_driver_sql("BEGIN")
        return
    # How long BEGIN IMMEDIATE waits for another process's lock: the unit of work's wait, set on the
    # connection only when it differs from the one it has.
    busy_ms = options.get("teamops_busy_ms", int(LONG_WAIT * 1000))
    info = conn.connection.info
    if info.get("busy_ms", int(LONG_WAIT * 1000)) != busy_ms:
        conn.exec_driver_sql(f"PRAGMA busy_timeout={busy_ms}")
        info["busy_ms"] = busy_ms
    conn.exec_driver_sql("BEGIN IMMEDIATE")
