import pytest

from actions.database import Database
from actions.schema import prepare


@pytest.fixture
def database(tmp_path):
    """A migrated SQLite database with the demo applications."""
    url = f"sqlite:///{tmp_path / 'tta.db'}"
    prepare(url)
    db = Database(url)
    yield db
    db.dispose()
