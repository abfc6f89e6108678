"""A published multiple-choice question has exactly four options (A-D) and exactly one correct.

That rule spans rows, so no CHECK constraint can hold it; a deferred constraint trigger checks it at
commit, after the admin has saved the question together with its inline options.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION practice_check_mcq_options() RETURNS trigger AS $$
DECLARE
    qid bigint;
    n_options integer;
    n_correct integer;
BEGIN
    IF TG_TABLE_NAME = 'practice_question' THEN
        qid := NEW.id;
    ELSIF TG_OP = 'DELETE' THEN
        qid := OLD.question_id;
    ELSE
        qid := NEW.question_id;
    END IF;
    IF EXISTS (SELECT 1 FROM practice_question WHERE id = qid AND type = 'mcq' AND status = 'published') THEN
        SELECT count(*), count(*) FILTER (WHERE is_correct) INTO n_options, n_correct
        FROM practice_questionoption WHERE question_id = qid;
        IF n_options <> 4 OR n_correct <> 1 THEN
            RAISE EXCEPTION 'published multiple-choice question % has % options and % correct (needs 4 and 1)',
                qid, n_options, n_correct
                USING ERRCODE = 'check_violation', CONSTRAINT = 'question_mcq_four_options_one_correct';
        END IF;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER question_mcq_options_check
    AFTER INSERT OR UPDATE ON practice_question
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION practice_check_mcq_options();
CREATE CONSTRAINT TRIGGER option_mcq_options_check
    AFTER INSERT OR UPDATE OR DELETE ON practice_questionoption
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION practice_check_mcq_options();
"""

REVERSE = """
DROP TRIGGER IF EXISTS option_mcq_options_check ON practice_questionoption;
DROP TRIGGER IF EXISTS question_mcq_options_check ON practice_question;
DROP FUNCTION IF EXISTS practice_check_mcq_options();
"""


class Migration(migrations.Migration):
    dependencies = [("practice", "0003_taxonomy")]
    operations = [migrations.RunSQL(FUNCTION, REVERSE)]
