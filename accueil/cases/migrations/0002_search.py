"""PostgreSQL: a full-text column over each request's text, in French and English, with a GIN
index (the workspace's search at 100,000 requests). A generated column, so every write — an
intake, an edit, the retention job blanking the text — keeps it right without application code.
SQLite has no such thing; the workspace searches it with a simpler LIKE."""

from django.db import migrations

DOCUMENT = (
    "coalesce(reference, '') || ' ' || coalesce(description, '') || ' ' || "
    "coalesce(contact_name, '') || ' ' || coalesce(address, '')"
)
CREATE = [
    "ALTER TABLE cases_case ADD COLUMN search tsvector GENERATED ALWAYS AS ("
    f"to_tsvector('french'::regconfig, {DOCUMENT}) || "
    f"to_tsvector('english'::regconfig, {DOCUMENT})) STORED",
    "CREATE INDEX case_search ON cases_case USING gin (search)",
]
DROP = [
    "DROP INDEX IF EXISTS case_search",
    "ALTER TABLE cases_case DROP COLUMN IF EXISTS search",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
