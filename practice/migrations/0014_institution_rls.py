"""Row-level security on every institution-owned table, the append-only access trail, and the database's
own cascades for the institution tables.

The application sets, per transaction (`set_config(..., true)`, so it works through PgBouncer in
transaction mode), `app.institution_ids` (a comma-separated list) and `app.user_id`; `practice.tenancy`
is the one place that does. A row is visible only when its institution is in that list. Operators
(`tenancy.operator_access`) set `app.rls_bypass`, audited. FORCE makes the policies bind the tables'
owner too: the app's role owns them and is neither a superuser nor BYPASSRLS.

Django 5.2 emulates ON DELETE in Python, which cannot see rows the policies hide; so the foreign keys of
these tables get real ON DELETE actions here (referential actions run with row security off).
"""

from django.db import migrations

TABLES = [
    "practice_membership",
    "practice_classroom",
    "practice_classteacher",
    "practice_enrollment",
    "practice_assignment",
    "practice_assignmentprogress",
    "practice_accessevent",
]

# (table, column, referenced table, action)
FOREIGN_KEYS = [
    ("practice_membership", "institution_id", "practice_institution", "CASCADE"),
    ("practice_membership", "user_id", "practice_user", "CASCADE"),
    ("practice_membership", "invited_by_id", "practice_user", "SET NULL"),
    ("practice_classroom", "institution_id", "practice_institution", "CASCADE"),
    ("practice_classteacher", "institution_id", "practice_institution", "CASCADE"),
    ("practice_classteacher", "classroom_id", "practice_classroom", "CASCADE"),
    ("practice_classteacher", "teacher_id", "practice_user", "CASCADE"),
    ("practice_enrollment", "institution_id", "practice_institution", "CASCADE"),
    ("practice_enrollment", "classroom_id", "practice_classroom", "CASCADE"),
    ("practice_enrollment", "learner_id", "practice_user", "CASCADE"),
    ("practice_assignment", "institution_id", "practice_institution", "CASCADE"),
    ("practice_assignment", "classroom_id", "practice_classroom", "CASCADE"),
    ("practice_assignment", "created_by_id", "practice_user", "SET NULL"),
    ("practice_assignmentprogress", "institution_id", "practice_institution", "CASCADE"),
    ("practice_assignmentprogress", "assignment_id", "practice_assignment", "CASCADE"),
    ("practice_assignmentprogress", "learner_id", "practice_user", "CASCADE"),
    ("practice_assignmentprogress", "session_id", "practice_practicesession", "SET NULL"),
    ("practice_practicesession", "assignment_id", "practice_assignment", "SET NULL"),
]

FUNCTIONS = """
CREATE OR REPLACE FUNCTION pn_institution_ids() RETURNS bigint[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(string_to_array(NULLIF(current_setting('app.institution_ids', true), ''), ','), '{}')::bigint[]
$$;
CREATE OR REPLACE FUNCTION pn_user_id() RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT NULLIF(current_setting('app.user_id', true), '')::bigint
$$;
CREATE OR REPLACE FUNCTION pn_rls_bypass() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('app.rls_bypass', true), '') = 'on'
$$;
-- Enter a user's context in one round trip: app.user_id, then app.institution_ids = the institutions
-- where the user holds one of `roles`. Returns "institution_id:role" pairs. Transaction-local.
CREATE OR REPLACE FUNCTION pn_enter(uid bigint, roles text[]) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  pairs text;
BEGIN
  PERFORM set_config('app.user_id', uid::text, true);
  SELECT coalesce(string_agg(institution_id::text || ':' || role, ',' ORDER BY institution_id), '')
    INTO pairs FROM practice_membership WHERE user_id = uid AND role = ANY(roles);
  PERFORM set_config('app.institution_ids',
                     coalesce(array_to_string(ARRAY(SELECT split_part(p, ':', 1)
                                                    FROM unnest(string_to_array(pairs, ',')) p), ','), ''),
                     true);
  RETURN pairs;
END $$;
CREATE OR REPLACE FUNCTION pn_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the access trail is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
"""

POLICIES = """
ALTER TABLE practice_institution ENABLE ROW LEVEL SECURITY;
ALTER TABLE practice_institution FORCE ROW LEVEL SECURITY;
CREATE POLICY institution_isolation ON practice_institution
  USING (pn_rls_bypass() OR id = ANY(pn_institution_ids()));

CREATE POLICY institution_isolation ON practice_membership
  USING (pn_rls_bypass() OR institution_id = ANY(pn_institution_ids()) OR user_id = pn_user_id())
  WITH CHECK (pn_rls_bypass() OR institution_id = ANY(pn_institution_ids()));
-- Knowing a class's join code is what lets a learner find the class (and nothing else of it).
CREATE POLICY institution_isolation ON practice_classroom
  USING (pn_rls_bypass() OR institution_id = ANY(pn_institution_ids()));
CREATE POLICY join_by_code ON practice_classroom FOR SELECT
  USING (join_code = NULLIF(current_setting('app.join_code', true), ''));
CREATE POLICY institution_isolation ON practice_classteacher
  USING (pn_rls_bypass() OR institution_id = ANY(pn_institution_ids()));
CREATE POLICY institution_isolation ON practice_enrollment
  USING (pn_rls_bypass() OR institution_id = ANY(pn_institution_ids()));
CREATE POLICY institution_isolation ON practice_assignment
  USING (pn_rls_bypass() OR institution_id = ANY(pn_institution_ids()));
CREATE POLICY institution_isolation ON practice_assignmentprogress
  USING (pn_rls_bypass() OR institution_id = ANY(pn_institution_ids()));
-- The trail: institutions read their own; a learner reads every row that names them; rows are only added.
CREATE POLICY institution_isolation ON practice_accessevent FOR SELECT
  USING (pn_rls_bypass() OR institution_id = ANY(pn_institution_ids()) OR pn_user_id() = ANY(learner_ids));
CREATE POLICY institution_append ON practice_accessevent FOR INSERT
  WITH CHECK (pn_rls_bypass() OR institution_id = ANY(pn_institution_ids()));
CREATE TRIGGER accessevent_append_only BEFORE UPDATE OR DELETE ON practice_accessevent
  FOR EACH ROW EXECUTE FUNCTION pn_refuse_change();
"""

REVERSE = """
DROP TRIGGER IF EXISTS accessevent_append_only ON practice_accessevent;
DROP POLICY IF EXISTS institution_isolation ON practice_institution;
ALTER TABLE practice_institution NO FORCE ROW LEVEL SECURITY;
ALTER TABLE practice_institution DISABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS join_by_code ON practice_classroom;
DROP POLICY IF EXISTS institution_append ON practice_accessevent;
""" + "".join(
    f"DROP POLICY IF EXISTS institution_isolation ON {t};\n"
    f"ALTER TABLE {t} NO FORCE ROW LEVEL SECURITY;\nALTER TABLE {t} DISABLE ROW LEVEL SECURITY;\n"
    for t in TABLES
) + """
DROP FUNCTION IF EXISTS pn_enter(bigint, text[]);
DROP FUNCTION IF EXISTS pn_refuse_change();
DROP FUNCTION IF EXISTS pn_rls_bypass();
DROP FUNCTION IF EXISTS pn_user_id();
DROP FUNCTION IF EXISTS pn_institution_ids();
"""


def _enable_sql() -> str:
    return "".join(
        f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY;\nALTER TABLE {t} FORCE ROW LEVEL SECURITY;\n" for t in TABLES
    )


def _foreign_key_sql(reverse: bool) -> str:
    """Replace Django's constraint on each column with one that has the ON DELETE action (or back)."""
    statements = []
    for table, column, target, action in FOREIGN_KEYS:
        on_delete = "" if reverse else f" ON DELETE {action}"
        statements.append(
            f"""DO $$
DECLARE c text;
BEGIN
  SELECT con.conname INTO c FROM pg_constraint con
    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = ANY(con.conkey)
   WHERE con.contype = 'f' AND con.conrelid = '{table}'::regclass AND a.attname = '{column}';
  EXECUTE format('ALTER TABLE {table} DROP CONSTRAINT %I', c);
  EXECUTE format('ALTER TABLE {table} ADD CONSTRAINT %I FOREIGN KEY ({column}) REFERENCES {target} (id)'
                 '{on_delete} DEFERRABLE INITIALLY DEFERRED', c);
END $$;
"""
        )
    return "".join(statements)


class Migration(migrations.Migration):
    dependencies = [("practice", "0013_institutions")]

    operations = [
        migrations.RunSQL(FUNCTIONS, REVERSE),
        migrations.RunSQL(_enable_sql() + POLICIES, migrations.RunSQL.noop),
        migrations.RunSQL(_foreign_key_sql(False), _foreign_key_sql(True)),
    ]
