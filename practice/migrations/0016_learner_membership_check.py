"""`pn_has_role(uid, roles)`: whether a user holds one of `roles` in any institution, readable without
entering their context and leaving no setting behind. The dashboard's one summary query asks it, so a
learner who belongs to no institution pays no extra round trip for "Assigned to you"."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION pn_has_role(uid bigint, roles text[]) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  previous text := current_setting('app.user_id', true);
  found boolean;
BEGIN
  -- The membership policy admits a user's own rows: see them for this one look, then put back.
  PERFORM set_config('app.user_id', uid::text, true);
  SELECT EXISTS (SELECT 1 FROM practice_membership WHERE user_id = uid AND role = ANY(roles)) INTO found;
  PERFORM set_config('app.user_id', coalesce(previous, ''), true);
  RETURN found;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("practice", "0015_user_email_verified")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS pn_has_role(bigint, text[]);"),
    ]
