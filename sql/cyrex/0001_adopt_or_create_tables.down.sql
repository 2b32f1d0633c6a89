-- cyrex 0001: hand adopted tables back to public and their original owner (rows intact), drop the tables created here
-- Runs as the admin role ([admin] in module.toml): moving a table back needs CREATE on public and giving
-- it back to its original owner needs that role's rights.
DO $unadopt$
DECLARE
    a record;
BEGIN
    IF EXISTS (SELECT 1 FROM legacy_adoptions) AND NOT has_schema_privilege('public', 'CREATE') THEN
        RAISE EXCEPTION 'cyrex 0001 down: % adopted table(s) must go back to public, which % may not create in',
                        (SELECT count(*) FROM legacy_adoptions), current_user
            USING HINT = 'Run this down migration as the admin role.';
    END IF;
    FOR a IN SELECT table_name, from_schema, original_owner FROM legacy_adoptions ORDER BY table_name LOOP
        EXECUTE format('ALTER TABLE %I.%I SET SCHEMA %I', current_schema(), a.table_name, a.from_schema);
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = a.original_owner) THEN
            EXECUTE format('ALTER TABLE %I.%I OWNER TO %I', a.from_schema, a.table_name, a.original_owner);
        ELSE
            RAISE WARNING 'cyrex 0001 down: original owner % of %.% no longer exists; owner left unchanged',
                          a.original_owner, a.from_schema, a.table_name;
        END IF;
    END LOOP;
END
$unadopt$;

-- what is left was created by 0001 (IF EXISTS: adopted tables have just left this schema)
DROP TABLE IF EXISTS cyrex_pricing_benchmarks;
DROP TABLE IF EXISTS cyrex_invoices;
DROP TABLE IF EXISTS cyrex_vendors;
DROP TABLE IF EXISTS agent_states;
DROP TABLE IF EXISTS agents;
DROP TABLE IF EXISTS guardrail_violations;
DROP TABLE IF EXISTS guardrail_rules;
DROP TABLE IF EXISTS cyrex_sessions;
DROP TABLE IF EXISTS events;
DROP TABLE IF EXISTS task_executions;
DROP TABLE IF EXISTS workflows;
DROP TABLE IF EXISTS agent_playground_messages;
DROP TABLE legacy_adoptions;
