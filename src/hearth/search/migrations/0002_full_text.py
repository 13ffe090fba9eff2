"""The full-text half of the index, per database, kept by triggers on the entries.

SQLite: an FTS5 table whose content is the entries (text stored once), with
Porter stemming over Unicode words and accents removed, ranked by BM25 with the
title weighing four times the body. PostgreSQL: a ``tsvector`` column computed
by a trigger in the entry's own language (title weight A, body B), accents
removed (``unaccent``), GIN-indexed.
"""

from django.db import migrations

SQLITE = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body, content='search_searchentry', content_rowid='post_id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    "INSERT INTO search_fts(search_fts, rank) VALUES('rank', 'bm25(4.0, 1.0)')",
    """CREATE TRIGGER search_entry_inserted AFTER INSERT ON search_searchentry BEGIN
        INSERT INTO search_fts(rowid, title, body) VALUES (new.post_id, new.title, new.body);
    END""",
    """CREATE TRIGGER search_entry_deleted AFTER DELETE ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body)
        VALUES ('delete', old.post_id, old.title, old.body);
    END""",
    """CREATE TRIGGER search_entry_updated AFTER UPDATE OF title, body ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body)
        VALUES ('delete', old.post_id, old.title, old.body);
        INSERT INTO search_fts(rowid, title, body) VALUES (new.post_id, new.title, new.body);
    END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER search_entry_updated",
    "DROP TRIGGER search_entry_deleted",
    "DROP TRIGGER search_entry_inserted",
    "DROP TABLE search_fts",
]

POSTGRES = [
    # Accents are removed before stemming, so "cafe" finds "Café" (unaccent is a trusted
    # extension: the database's owner may create it).
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "ALTER TABLE search_searchentry ADD COLUMN vector tsvector",
    """CREATE FUNCTION search_entry_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.vector := setweight(to_tsvector(NEW.language::regconfig, unaccent(NEW.title)), 'A')
            || setweight(to_tsvector(NEW.language::regconfig, unaccent(NEW.body)), 'B');
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER search_entry_vector BEFORE INSERT OR UPDATE OF title, body, language
        ON search_searchentry FOR EACH ROW EXECUTE FUNCTION search_entry_vector()""",
    "CREATE INDEX search_entry_vector_gin ON search_searchentry USING gin (vector)",
]
POSTGRES_REVERSE = [
    "DROP INDEX search_entry_vector_gin",
    "DROP TRIGGER search_entry_vector ON search_searchentry",
    "DROP FUNCTION search_entry_vector()",
    "ALTER TABLE search_searchentry DROP COLUMN vector",
]


def _statements_for(vendor: str, *, forwards: bool) -> list[str]:
    if vendor == "postgresql":
        return POSTGRES if forwards else POSTGRES_REVERSE
    return SQLITE if forwards else SQLITE_REVERSE


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    for statement in _statements_for(schema_editor.connection.vendor, forwards=True):
        schema_editor.execute(statement)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    for statement in _statements_for(schema_editor.connection.vendor, forwards=False):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
