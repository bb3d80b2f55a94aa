-- Runs one statement and reports its SQLSTATE and message ('00000' on success).
-- Included by the pg_regress files that list many errors in one table.
CREATE FUNCTION pg_temp.try(stmt text, OUT state text, OUT message text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    state := '00000';
EXCEPTION WHEN OTHERS THEN
    state := SQLSTATE;
    message := SQLERRM;
END
$$;
