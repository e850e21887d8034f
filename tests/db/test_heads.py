"""A database at the newest migration is recognised without Alembic, and only then."""

import json
import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from civicspace.application import open_database
from civicspace.db.heads import at_newest, newest_revisions


def test_the_newest_revisions_are_alembics_heads(tmp_path: Path) -> None:
    db = open_database(tmp_path / "x.sqlite", keyring=None)
    heads = ScriptDirectory.from_config(db.alembic_config()).get_heads()
    assert newest_revisions() == frozenset(heads)


def test_a_database_is_at_the_newest_only_once_migrated(tmp_path: Path) -> None:
    db = open_database(tmp_path / "x.sqlite", keyring=None)
    assert not at_newest(db.engine)
    db.migrate()
    assert at_newest(db.engine)
    with db.engine.begin() as conn:  # one branch a revision behind (as if 0004 were new)
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0003_listing_index' "
                             "WHERE version_num = '0004_incident_indexes'")  # fmt: skip
    assert not at_newest(db.engine)


def test_migrating_a_current_database_does_not_import_alembic(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    open_database(path, keyring=None).migrate()
    probe = (
        "import json, sys\nfrom civicspace.application import open_database\n"
        f"open_database({str(path)!r}, keyring=None).migrate()\n"
        "print(json.dumps('alembic' in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) is False


def test_annotated_revision_lines_are_read_as_alembic_writes_them() -> None:
    from civicspace.db.heads import _assignments

    source = 'revision: str = "0005"\ndown_revision: str | None = "0004"\nother = 1\n'
    assert _assignments(source) == {"revision": "0005", "down_revision": "0004", "other": 1}
