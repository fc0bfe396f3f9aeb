"""The durable document store: one SQLite file in the data directory.

Every added document is written inside an open transaction; a Solr commit commits it (fsync'd),
so a crash loses at most the writes not yet committed. Rows are keyed by an ever-growing row id,
so a search always reads the version of a document it matched, even while a newer version of the
same document waits for the next commit.
"""

import fcntl
import orjson
import os
import sqlite3

from .errors import SolrError


FORMAT = "2"  # 2: documents are stored as sent (copyField destinations are recomputed)


class DataDirInUse(Exception):
    """The data directory cannot be used (in use, not writable, or written by another format)."""


class Store:
    def __init__(self, data_dir):
        self.data_dir = os.path.abspath(data_dir)
        try:
            os.makedirs(self.data_dir, exist_ok=True)
            probe = os.path.join(self.data_dir, ".write-test")
            with open(probe, "w") as handle:
                handle.write("ok")
            os.remove(probe)
        except OSError as exc:
            raise DataDirInUse(f"the data directory {self.data_dir} is not writable: {exc.strerror}") from None
        self._lock_file = open(os.path.join(self.data_dir, "LOCK"), "a+")
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.seek(0)
            owner = self._lock_file.read().strip() or "another process"
            raise DataDirInUse(
                f"the data directory {self.data_dir} is in use by another search service ({owner}); "
                "stop it or give this one another --data-dir"
            ) from None
        self._lock_file.seek(0)
        self._lock_file.truncate()
        self._lock_file.write(f"pid {os.getpid()}")
        self._lock_file.flush()
        self.db = sqlite3.connect(
            os.path.join(self.data_dir, "documents.sqlite3"), check_same_thread=False, isolation_level=None
        )
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS documents "
            "(rowid INTEGER PRIMARY KEY, doc_key TEXT NOT NULL, body TEXT NOT NULL)"
        )
        self.db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
        self.in_transaction = False
        self._check_format()

    def _check_format(self):
        row = self.db.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
        if row is None and self.count() == 0:
            self.db.execute("INSERT INTO meta (name, value) VALUES ('format', ?)", (FORMAT,))
        elif row is None or row[0] != FORMAT:
            found = row[0] if row else "1"
            self.close()
            raise DataDirInUse(
                f"the index in {self.data_dir} has format {found}, this service writes format {FORMAT}: "
                "move that directory away and rebuild the index (ckan search-index rebuild)"
            )

    def _begin(self):
        if not self.in_transaction:
            self.db.execute("BEGIN")
            self.in_transaction = True

    def add(self, key, doc):
        self._begin()
        cur = self.db.execute(
            "INSERT INTO documents (doc_key, body) VALUES (?, ?)", (key, orjson.dumps(doc).decode())
        )
        return cur.lastrowid

    def remove(self, rowids):
        if not rowids:
            return
        self._begin()
        self.db.executemany("DELETE FROM documents WHERE rowid = ?", [(r,) for r in rowids])

    def commit(self):
        if self.in_transaction:
            self.db.execute("COMMIT")
            self.in_transaction = False

    def rollback(self):
        if self.in_transaction:
            self.db.execute("ROLLBACK")
            self.in_transaction = False

    def load(self, rowids):
        """{rowid: document} for the given row ids."""
        result = {}
        rowids = [int(r) for r in rowids]
        for i in range(0, len(rowids), 500):
            chunk = rowids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for rowid, body in self.db.execute(f"SELECT rowid, body FROM documents WHERE rowid IN ({marks})", chunk):
                result[rowid] = orjson.loads(body)
        return result

    def all_documents(self):
        """(rowid, key, document) for every committed document, oldest first."""
        for rowid, key, body in self.db.execute("SELECT rowid, doc_key, body FROM documents ORDER BY rowid"):
            yield rowid, key, orjson.loads(body)

    def count(self):
        return self.db.execute("SELECT count(*) FROM documents").fetchone()[0]

    def vacuum(self):
        if self.in_transaction:
            raise SolrError("cannot optimize with uncommitted changes; commit first", 400)
        self.db.execute("VACUUM")

    def close(self):
        self.rollback()
        self.db.close()
        fcntl.flock(self._lock_file, fcntl.LOCK_UN)
        self._lock_file.close()
