"""Database engine and sessions: SQLite embedded by default, PostgreSQL for scale-out."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from intake.audit import ChainKey, session_info


def make_engine(url: str) -> Engine:
    """An engine tuned for the backend: WAL and a busy timeout on SQLite so workers can share the file."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Python's sqlite3 opens transactions lazily; BEGIN IMMEDIATE below makes writers queue
            # instead of failing with "database is locked" halfway through a turn.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            # Deleted rows are overwritten with zeros, not left in free space where the file could be read
            # for them after an erasure or a retention purge (policy 4.7).
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # Recycling beats pre-ping here: pre-ping costs a round trip on every turn.
    return create_engine(url, pool_recycle=1800, pool_size=5, max_overflow=5)


def checkpoint_after_commit(session: Session) -> None:
    """On SQLite, once this transaction commits, copy the write-ahead log into the database file and empty it.

    Until then, the log still holds every page as it was written (a note, a text, the erased rows themselves),
    so an erasure or a purge would stay readable in the -wal file. Nothing to do on PostgreSQL.
    Called any number of times in one transaction (a FORGET withdraws a case and deletes the conversation), it
    checkpoints once.
    """
    bind = session.get_bind()
    if bind.dialect.name != "sqlite" or session.info.get(_CHECKPOINT_OWED):
        return
    engine = bind.engine
    session.info[_CHECKPOINT_OWED] = True

    def _checkpoint(_session: Session) -> None:
        session.info.pop(_CHECKPOINT_OWED, None)
        # A connection of its own, outside any transaction (the engine's BEGIN IMMEDIATE is not wanted here);
        # the busy timeout lets readers finish first.
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.close()
        finally:
            connection.close()

    # Left in place if this transaction rolls back: the session's next commit then checkpoints, needlessly but
    # harmlessly.
    event.listen(session, "after_commit", _checkpoint, once=True)


_CHECKPOINT_OWED = "checkpoint_after_commit"


def make_session_factory(engine: Engine, chain_key: ChainKey | None = None) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit (replies are rendered after the write).

    `chain_key` (intake.audit.ChainKey) goes into every session's `info`, where the audit trail finds it; without
    it, recording or verifying an audit event fails (MissingChainKey) rather than hashing without the key.
    """
    info = session_info(chain_key) if chain_key is not None else {}
    return sessionmaker(engine, expire_on_commit=False, info=info)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit on success, roll back everything on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
