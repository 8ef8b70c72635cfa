"""BAK-1, the restore drill (ASVS 8.1.5/8.1.6): backups that restore, on SQLite and PostgreSQL.

An app on an empty database is migrated and given the demo city; `flask backup` writes a
file; `flask restore` brings it into a second, empty database; a second app on that
database must then serve every public page and every determination PDF byte for byte, with
the same rows per table and the same verified audit chain. Altered rows in a backup, a
database that is not empty, a file of the wrong kind and a backup taken while comments
keep arriving are covered too.

Without TEST_DATABASE_URL the databases are SQLite files in tmp_path; with it, PostgreSQL
databases this module creates and drops itself, used by an app role that is not their owner
(as in production: migrations, backup and restore run as the owner).
"""

import hashlib
import html
import io
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from reviewapp import create_app
from reviewapp.audit import verify_chain
from reviewapp.cli.setup import upgrade_database
from reviewapp.db import dispose
from reviewapp.models import (
    AnnualReport,
    AuditEvent,
    Comment,
    Determination,
    DeterminationFile,
    EmergencyNotice,
    Proposal,
    Stage,
)
from tests.clock import FrozenClock
from tests.factories import form_nonce

PG_URL = os.environ.get("TEST_DATABASE_URL")
ROOT = Path(__file__).resolve().parent.parent
SECRET = "backup-drill-secret-" + "x" * 32
PUBLIC_BLUEPRINTS = {"public", "registry"}
# The only bytes that differ from one response to the next: the CSRF token and the
# comment form's one-time nonce.
RANDOM_VALUES = re.compile(rb'(name="(?:csrf_token|nonce)"[^>]*? value=")[^"]*(")')


@dataclass(frozen=True)
class Target:
    """An empty database: the URL the app uses, and the owner's URL for migrations."""

    url: str
    owner_url: str | None = None
    sqlite_file: Path | None = None

    @property
    def admin_url(self) -> str:
        """The URL that may do anything (tests alter rows with it)."""
        return self.owner_url or self.url


class Databases:
    """Empty databases for this module: SQLite files, or PostgreSQL databases we own."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.made: list[str] = []
        self.role = f"bak_app_{os.getpid()}"
        if PG_URL:
            self.base = make_url(PG_URL).set(query={})
            self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT", pool_size=8)
            with self.admin.connect() as connection:
                connection.execute(text(f"DROP ROLE IF EXISTS {self.role}"))
                connection.execute(text(f"CREATE ROLE {self.role} LOGIN"))

    def new(self) -> Target:
        """Return a new, empty database."""
        name = f"bak_{os.getpid()}_{len(self.made) + 1}"
        self.made.append(name)
        if not PG_URL:
            path = self.folder / f"{name}.sqlite3"
            return Target(f"sqlite:///{path}", sqlite_file=path)
        with self.admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        owner = self.base.set(database=name)
        app = owner.set(username=self.role, password=None)
        return Target(app.render_as_string(hide_password=False),
                      owner.render_as_string(hide_password=False))

    def close(self) -> None:
        """Drop every database made here, then the app role."""
        if not PG_URL:
            return

        def drop(name: str) -> None:
            with self.admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))

        # Each DROP DATABASE waits for a checkpoint; run together, they share some.
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(drop, self.made))
        with self.admin.connect() as connection:
            connection.execute(text(f"DROP ROLE IF EXISTS {self.role}"))
        self.admin.dispose()


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    made = Databases(tmp_path_factory.mktemp("databases"))
    yield made
    made.close()


def build_app(target: Target, instance: Path, clock: FrozenClock, **config):
    """Build an app on `target`, configured as a deployment would be (CSRF on)."""
    settings = {"SECRET_KEY": SECRET, "DATABASE_URL": target.url, "CLOCK": clock,
                "RATELIMIT_ENABLED": False}
    if target.owner_url:
        settings["MIGRATION_DATABASE_URL"] = target.owner_url
    settings.update(config)
    return create_app(settings, instance_path=str(instance))


def cli(app, *args: str):
    """Run a flask command of `app` through Click, as `flask --app wsgi ...` does."""
    return app.test_cli_runner().invoke(args=list(args))


def table_rows(url: str) -> dict[str, int]:
    """Count the rows of every table, independently of the code under test."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            names = inspect(connection).get_table_names()
            # Table names from the database's own catalog.
            return {name: connection.execute(
                text(f'SELECT count(*) FROM "{name}"')).scalar()  # noqa: S608
                for name in names}
    finally:
        engine.dispose()


def chain(app):
    """Return the audit chain report of the app's database."""
    with app.app_context(), app.extensions["db_read_sessionmaker"]() as session:
        return verify_chain(session)


@dataclass
class Drill:
    """The source city, its backup, and the city restored from it."""

    source: object
    source_target: Target
    backup: Path
    backup_output: str
    restored: object
    restored_target: Target
    restore_output: str


@pytest.fixture(scope="module")
def drill(databases, tmp_path_factory):
    folder = tmp_path_factory.mktemp("drill")
    clock = FrozenClock()
    source_target = databases.new()
    source = build_app(source_target, folder / "source", clock)
    with source.app_context():
        upgrade_database(source)
    seeded = cli(source, "seed-demo")
    assert seeded.exit_code == 0, seeded.output
    backup = folder / "city.backup"
    written = cli(source, "backup", str(backup))
    assert written.exit_code == 0, written.output
    restored_target = databases.new()
    restored = build_app(restored_target, folder / "restored", clock)
    brought_back = cli(restored, "restore", str(backup))
    yield Drill(source, source_target, backup, written.output, restored, restored_target,
                brought_back.output)
    dispose(source)
    dispose(restored)


# --- the drill ----------------------------------------------------------------------------


def test_the_backup_file_is_private_whole_and_says_what_it_holds(drill):
    assert drill.backup.stat().st_mode & 0o777 == 0o600
    magic = b"PGDMP" if PG_URL else b"SQLite format 3\x00"
    assert drill.backup.read_bytes().startswith(magic)
    assert not [p for p in drill.backup.parent.iterdir() if p.name.endswith(".partial")]
    report = chain(drill.source)
    rows = table_rows(drill.source_target.admin_url)
    assert f"audit chain: {report.count:,} events, head {report.head}" in drill.backup_output
    assert f"{len(rows)} tables, {sum(rows.values()):,} rows" in drill.backup_output
    assert "mode 600" in drill.backup_output


def test_restore_says_what_it_checked_and_passes(drill):
    output = drill.restore_output
    assert "Restore verified: every check passed." in output, output
    source = chain(drill.source)
    assert f"ok      audit chain: verified, {source.count:,} events, head {source.head}" \
        in output
    determinations = table_rows(drill.source_target.admin_url)["determination"]
    assert determinations >= 3
    assert (f"ok      determination PDFs: {determinations} of {determinations} match their "
            "published SHA-256") in output
    assert "ok      migrations: at head" in output
    if PG_URL:
        assert f"Role {make_url(drill.restored_target.url).username} granted again" in output
    else:
        assert "ok      integrity: PRAGMA integrity_check: ok" in output
    # What the backup said it holds is what the restore found.
    holds = re.search(r"Holds (.*)\.", drill.backup_output).group(1)
    assert f"Holds {holds}." in output


def test_rows_per_table_and_the_audit_chain_are_the_same(drill):
    before = table_rows(drill.source_target.admin_url)
    after = table_rows(drill.restored_target.admin_url)
    assert after == before
    assert before["comment"] > 0 and before["audit_event"] > 0
    source, restored = chain(drill.source), chain(drill.restored)
    assert source.ok and restored.ok
    assert (restored.count, restored.head) == (source.count, source.head)


def public_seeds(app) -> list[str]:
    """Return the public pages to start from: the fixed ones and one per public record."""
    urls = ["/", "/about", "/rules", "/oversight", "/emergency", "/inventory", "/registry/",
            "/registry/export.csv", "/technologies/"]
    with app.app_context(), app.extensions["db_read_sessionmaker"]() as db:
        for proposal in db.scalars(select(Proposal).order_by(Proposal.id)):
            # Drafts too: they must stay hidden (404) after a restore.
            urls += [f"/proposals/{proposal.id}", f"/proposals/{proposal.id}?page=1",
                     f"/proposals/{proposal.id}/comment", f"/technologies/{proposal.id}"]
        urls += [f"/receipts/{number}" for number in
                 db.scalars(select(Comment.tracking_number).order_by(Comment.id))]
        urls += [f"/reports/{i}" for i in db.scalars(select(AnnualReport.id))]
        urls += [f"/emergency/{i}" for i in db.scalars(select(EmergencyNotice.id))]
        urls += [f"/determinations/{number}.pdf" for number in
                 db.scalars(select(Determination.document_number))]
    return urls


def crawl(app, seeds: list[str]) -> dict[str, tuple[int, str, bytes]]:
    """Fetch every public page reachable from the seeds, as an anonymous visitor."""
    client = app.test_client()
    routes = app.url_map.bind("localhost")
    pages, queue = {}, list(seeds)
    while queue:
        url = queue.pop(0)
        if url in pages:
            continue
        response = client.get(url)
        pages[url] = (response.status_code, response.mimetype,
                      RANDOM_VALUES.sub(rb"\1\2", response.data))
        if response.mimetype != "text/html":
            continue
        for href in re.findall(r'href="([^"#]+)', response.get_data(as_text=True)):
            link = urlsplit(html.unescape(href))
            if link.scheme or link.netloc or not link.path.startswith("/"):
                continue
            try:
                endpoint, _ = routes.match(link.path, method="GET")
            except HTTPException:
                continue
            if endpoint.split(".")[0] in PUBLIC_BLUEPRINTS:
                queue.append(link.path + (f"?{link.query}" if link.query else ""))
    return pages


def test_every_public_page_is_the_same_byte_for_byte(drill):
    seeds = public_seeds(drill.source)
    assert public_seeds(drill.restored) == seeds
    before, after = crawl(drill.source, seeds), crawl(drill.restored, seeds)
    assert sorted(after) == sorted(before)
    different = [url for url in before if after[url] != before[url]]
    assert different == []
    # The crawl reached every public GET route, and the pages are real ones.
    routes = drill.source.url_map.bind("localhost")
    reached = {routes.match(urlsplit(url).path, method="GET")[0] for url in before}
    public = {rule.endpoint for rule in drill.source.url_map.iter_rules()
              if rule.endpoint.split(".")[0] in PUBLIC_BLUEPRINTS and "GET" in rule.methods}
    assert public <= reached, public - reached
    ok = [url for url, (status, _, _) in before.items() if status == 200]
    assert len(ok) >= 40
    assert before["/registry/export.csv"][1] == "text/csv"
    assert b"Add fixed cameras to the downtown transit plaza" in before["/"][2]
    # A draft stays hidden after the restore as before it.
    with drill.source.app_context(), drill.source.extensions["db_read_sessionmaker"]() as db:
        draft = db.scalar(select(Proposal.id).where(Proposal.stage == Stage.DRAFT))
    assert before[f"/proposals/{draft}"][0] == after[f"/proposals/{draft}"][0] == 404


def test_every_determination_pdf_is_the_same_and_matches_its_published_hash(drill):
    with drill.source.app_context(), drill.source.extensions["db_read_sessionmaker"]() as db:
        issued = {d.document_number: (d.sha256, db.get(DeterminationFile, d.id).content)
                  for d in db.scalars(select(Determination))}
    assert len(issued) >= 3
    client = drill.restored.test_client()
    for number, (published, original) in issued.items():
        response = client.get(f"/determinations/{number}.pdf")
        assert response.status_code == 200
        assert response.data == original
        assert hashlib.sha256(response.data).hexdigest() == published
        assert response.headers["X-Content-SHA256"] == published
        text_of_pdf = "".join(page.extract_text() for page in PdfReader(
            io.BytesIO(response.data)).pages)
        assert number in text_of_pdf


# --- refusals -----------------------------------------------------------------------------


def test_restore_refuses_a_database_that_is_not_empty(drill, tmp_path):
    before = table_rows(drill.restored_target.admin_url)
    result = cli(drill.restored, "restore", str(drill.backup))
    assert result.exit_code != 0
    assert "is not empty" in result.output
    assert "nothing is ever overwritten" in result.output
    assert table_rows(drill.restored_target.admin_url) == before
    assert chain(drill.restored).ok


def test_restore_refuses_a_file_of_the_wrong_kind_and_backup_an_empty_database(
        databases, tmp_path):
    target = databases.new()
    app = build_app(target, tmp_path / "instance", FrozenClock())
    try:
        if PG_URL:
            wrong = tmp_path / "city.sqlite3"
            connection = sqlite3.connect(wrong)
            connection.execute("CREATE TABLE proposal (id INTEGER PRIMARY KEY)")
            connection.commit()
            connection.close()
            expected = "is an SQLite database file, but the configured database"
        else:
            # The first bytes of a pg_dump custom-format file: the kind is read from them.
            wrong = tmp_path / "city.sqlite3"
            wrong.write_bytes(b"PGDMP\x01\x0e\x00\x04\x08\x01\x01" + b"\x00" * 64)
            expected = "is a PostgreSQL custom-format dump"
        result = cli(app, "restore", str(wrong))
        assert result.exit_code != 0
        assert expected in result.output
        assert "Point DATABASE_URL at an empty database of the backup's kind" in result.output

        notes = tmp_path / "notes.txt"
        notes.write_text("-- PostgreSQL database dump\nCREATE TABLE proposal ();\n")
        result = cli(app, "restore", str(notes))
        assert result.exit_code != 0
        assert "is not a reviewapp backup" in result.output

        packed = tmp_path / "city.backup.gz"
        packed.write_bytes(b"\x1f\x8b\x08\x00" + b"\x00" * 32)
        result = cli(app, "restore", str(packed))
        assert result.exit_code != 0
        assert "gzip-compressed: decompress it first" in result.output
        assert table_rows(target.admin_url) == {}  # nothing was written

        result = cli(app, "backup", str(tmp_path / "empty.backup"))
        assert result.exit_code != 0
        assert "has no tables, so there is nothing to back up" in result.output
        assert not (tmp_path / "empty.backup").exists()
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    finally:
        dispose(app)


# --- altered backups ----------------------------------------------------------------------


def restore_altered(drill, databases, folder: Path, alter) -> str:
    """Restore the drill's backup, alter a record row, back that up, restore it: the output.

    `alter(session)` changes rows with the record's guards switched off: on SQLite the
    guard trigger is dropped first, on PostgreSQL triggers are disabled for the session.
    """
    copy = databases.new()
    app = build_app(copy, folder / "copy", FrozenClock())
    fresh = databases.new()
    again = build_app(fresh, folder / "fresh", FrozenClock())
    try:
        assert cli(app, "restore", str(drill.backup)).exit_code == 0
        engine = create_engine(copy.admin_url)
        with Session(engine) as session, session.begin():
            if PG_URL:
                session.execute(text("SET LOCAL session_replication_role = replica"))
            alter(session)
        engine.dispose()
        altered = folder / "altered.backup"
        written = cli(app, "backup", str(altered))
        assert written.exit_code == 0, written.output
        result = cli(again, "restore", str(altered))
        assert result.exit_code != 0
        return result.output
    finally:
        dispose(app)
        dispose(again)


def len_of(drill) -> int:
    """Return how many determinations the drill's city has."""
    return table_rows(drill.source_target.admin_url)["determination"]


def test_an_altered_pdf_in_a_backup_fails_the_restore_naming_it(drill, databases, tmp_path):
    with drill.source.app_context(), drill.source.extensions["db_read_sessionmaker"]() as db:
        target = db.scalars(select(Determination).order_by(Determination.id)).first()
        number, original = target.document_number, db.get(DeterminationFile, target.id).content

    def alter(session):
        if not PG_URL:
            session.execute(text("DROP TRIGGER determination_file_no_update"))
        session.execute(text("UPDATE determination_file SET content = :content "
                             "WHERE determination_id = :id"),
                        {"content": original + b"\n", "id": target.id})

    output = restore_altered(drill, databases, tmp_path, alter)
    assert "FAILED  determination PDFs" in output
    assert f"{number}: the stored PDF hashes to" in output
    assert f"Restore FAILED: determination PDFs ({len_of(drill) - 1} of {len_of(drill)} " \
           f"match their published SHA-256; altered or missing: {number})" in output
    assert "ok      audit chain: verified" in output  # the other checks still ran


def test_an_altered_audit_event_in_a_backup_fails_the_restore_naming_it(drill, databases,
                                                                         tmp_path):
    with drill.source.app_context(), drill.source.extensions["db_read_sessionmaker"]() as db:
        ids = list(db.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
    middle = ids[len(ids) // 2]

    def alter(session):
        if not PG_URL:
            session.execute(text("DROP TRIGGER audit_event_no_update"))
        session.execute(text("UPDATE audit_event SET actor_label = 'someone else' "
                             "WHERE id = :id"), {"id": middle})

    output = restore_altered(drill, databases, tmp_path, alter)
    assert f"Restore FAILED: audit chain (broken at event {middle}: its content was " \
           "altered)" in output
    assert "ok      determination PDFs" in output


# --- writing the file ---------------------------------------------------------------------


def test_backup_keeps_an_existing_file_unless_told_to_replace_it(drill, tmp_path):
    existing = tmp_path / "nightly.backup"
    existing.write_bytes(b"yesterday")
    result = cli(drill.source, "backup", str(existing))
    assert result.exit_code != 0
    assert "already exists" in result.output and "--replace" in result.output
    assert existing.read_bytes() == b"yesterday"
    result = cli(drill.source, "backup", "--replace", str(existing))
    assert result.exit_code == 0, result.output
    assert existing.read_bytes()[:5] in (b"PGDMP", b"SQLit")
    assert existing.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nightly.backup"]


@pytest.mark.skipif(bool(PG_URL), reason="damages an SQLite file's pages")
def test_a_backup_that_fails_leaves_no_file_behind(databases, tmp_path):
    target = databases.new()
    app = build_app(target, tmp_path / "instance", FrozenClock())
    try:
        with app.app_context():
            upgrade_database(app)
        dispose(app)
        # Damage a page in the middle of the live file, as a failing disk would.
        with target.sqlite_file.open("r+b") as handle:
            handle.seek(4 * 4096)
            handle.write(b"\xab" * 4096)
        folder = tmp_path / "backups"
        folder.mkdir()
        result = cli(app, "backup", str(folder / "city.backup"))
        assert result.exit_code != 0
        assert "integrity check" in result.output or "could not be copied" in result.output
        assert list(folder.iterdir()) == []  # neither the file nor a .partial
    finally:
        dispose(app)


# --- a backup while the city keeps commenting ---------------------------------------------


RESIDENT_ADDRESS = "203.0.113.77"
RESIDENT_BROWSER = "ResidentBrowser/7.7 (fearful)"


def backup_text(path: Path) -> bytes:
    """Return every byte a backup holds, uncompressed (pg_dump compresses its data)."""
    if not PG_URL:
        return path.read_bytes()
    return subprocess.run(["pg_restore", "--file=-", str(path)], capture_output=True,
                          check=True).stdout


class Commenter(threading.Thread):
    """Posts public comments through the real comment route until stopped."""

    def __init__(self, app, proposal_id: int):
        super().__init__(daemon=True)
        self.client, self.url = app.test_client(), f"/proposals/{proposal_id}/comment"
        # A resident's address and browser, which must end up nowhere.
        self.client.environ_base.update(REMOTE_ADDR=RESIDENT_ADDRESS,
                                        HTTP_USER_AGENT=RESIDENT_BROWSER)
        self.posted, self.stop, self.failure = 0, threading.Event(), None

    def run(self):
        while not self.stop.is_set():
            response = self.client.post(self.url, data={
                "submitter_type": "anonymous", "position": "oppose",
                "body": f"Comment number {self.posted} while the backup runs.",
                "nonce": form_nonce(f"concurrent-{self.posted}")})
            if response.status_code != 302:
                self.failure = response.status_code
                return
            self.posted += 1

    def wait_for(self, count: int, timeout: float = 60) -> None:
        """Wait until `count` comments have been posted in all."""
        for _ in range(int(timeout * 20)):
            if self.posted >= count or self.failure or not self.is_alive():
                break
            time.sleep(0.05)
        assert self.failure is None and self.posted >= count


def test_a_backup_taken_while_comments_are_posted_restores_whole(databases, tmp_path):
    clock = FrozenClock()
    live_target = databases.new()
    live = build_app(live_target, tmp_path / "live", clock, WTF_CSRF_ENABLED=False)
    restored_target = databases.new()
    restored = build_app(restored_target, tmp_path / "restored", clock)
    try:
        with live.app_context():
            upgrade_database(live)
        assert cli(live, "seed-demo").exit_code == 0
        with live.app_context(), live.extensions["db_read_sessionmaker"]() as db:
            open_for_comment = db.scalar(select(Proposal.id).where(
                Proposal.stage == Stage.PUBLIC_COMMENT))
        commenter = Commenter(live, open_for_comment)
        commenter.start()
        commenter.wait_for(5)
        comments_before = table_rows(live_target.admin_url)["comment"]
        posted_before = commenter.posted
        # The real command in its own process, as cron runs it.
        environment = {**os.environ, "REVIEWAPP_DATABASE_URL": live_target.url,
                       "REVIEWAPP_SECRET_KEY": SECRET}
        if live_target.owner_url:
            environment["REVIEWAPP_MIGRATION_DATABASE_URL"] = live_target.owner_url
        backup = tmp_path / "busy.backup"
        process = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "backup", str(backup)],
            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)
        posted_during = commenter.posted - posted_before
        commenter.wait_for(commenter.posted + 5)
        commenter.stop.set()
        commenter.join(timeout=30)
        assert process.returncode == 0, process.stderr
        assert "Backup written" in process.stdout and "mode 600" in process.stdout
        assert backup.stat().st_mode & 0o777 == 0o600
        assert posted_during > 0  # the app really was writing while the backup ran
        held = backup_text(backup)
        assert b"while the backup runs." in held  # the comments are in it, readable
        assert RESIDENT_ADDRESS.encode() not in held
        assert RESIDENT_BROWSER.encode() not in held

        result = cli(restored, "restore", str(backup))
        assert result.exit_code == 0, result.output
        assert "ok      audit chain: verified" in result.output
        if not PG_URL:
            assert "ok      integrity: PRAGMA integrity_check: ok" in result.output

        # The backup is one moment of the live database: a prefix of its comments and of
        # its audit chain, with nothing missing in between.
        live_ids = comment_ids(live_target.admin_url)
        kept = comment_ids(restored_target.admin_url)
        assert comments_before < len(kept) < len(live_ids)
        assert kept == live_ids[:len(kept)]
        report = chain(restored)
        assert report.ok
        with live.app_context(), live.extensions["db_read_sessionmaker"]() as db:
            live_hashes = list(db.scalars(select(AuditEvent.hash).order_by(AuditEvent.id)))
        assert report.head == live_hashes[report.count - 1]
        assert chain(live).ok
    finally:
        dispose(live)
        dispose(restored)


def comment_ids(url: str) -> list[int]:
    """Return the ids of the stored comments, in order."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(text("SELECT id FROM comment ORDER BY id")))
    finally:
        engine.dispose()


# --- PostgreSQL: the schema named by search_path ------------------------------------------


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL schemas")
def test_a_schema_from_search_path_is_backed_up_alone_and_restored_only_into_its_name(
        databases, tmp_path):
    def in_schema(target: Target, schema: str, stray: str | None = None) -> Target:
        engine = create_engine(target.owner_url)
        with engine.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
            if stray:
                connection.execute(text(f"CREATE TABLE public.{stray} (id int)"))
        engine.dispose()
        option = f"?options=-csearch_path%3D{schema}"
        return Target(target.owner_url + option, target.owner_url + option)

    source = in_schema(databases.new(), "records", stray="not_in_the_backup")
    app = build_app(source, tmp_path / "source", FrozenClock())
    elsewhere = build_app(in_schema(databases.new(), "other"), tmp_path / "other",
                          FrozenClock())
    target = in_schema(databases.new(), "records", stray="the_targets_own")
    same = build_app(target, tmp_path / "same", FrozenClock())
    try:
        with app.app_context():
            upgrade_database(app)
        backup = tmp_path / "records.backup"
        assert cli(app, "backup", str(backup)).exit_code == 0

        refused = cli(elsewhere, "restore", str(backup))
        assert refused.exit_code != 0
        assert "The backup holds schema 'records', but the configured database uses " \
               "schema 'other'" in refused.output

        result = cli(same, "restore", str(backup))
        assert result.exit_code == 0, result.output
        engine = create_engine(make_url(target.url).set(query={}))
        with engine.connect() as connection:
            schemas = dict(connection.execute(text(
                "SELECT table_name, table_schema FROM information_schema.tables "
                "WHERE table_schema IN ('public', 'records', 'other')")).all())
        engine.dispose()
        assert schemas["alembic_version"] == schemas["proposal"] == "records"
        assert schemas["the_targets_own"] == "public"
        assert "not_in_the_backup" not in schemas  # only the app's schema was backed up
        assert set(schemas.values()) == {"records", "public"}
    finally:
        for built in (app, elsewhere, same):
            dispose(built)
