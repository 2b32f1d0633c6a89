-- cyrex 0001: move the twelve AI/agent tables out of public into this schema, keeping their rows, or create them (seed 004)
-- RUN AS ADMIN ([admin] in module.toml). Moving a legacy table (ALTER TABLE ... SET SCHEMA) needs
-- ownership of it, which the cyrex owner role does not have for tables a legacy deploy created in
-- public. The runner therefore executes this one file as the admin role, with
--     SET LOCAL pgplatform.owner_role = '<cyrex owner role>'
-- and the last block below hands every table of this schema to that role (falling back to the
-- schema owner when the setting is absent). Run as the owner role it works only on a fresh install,
-- where no legacy table exists.
--
-- Adoption keeps every row, index, constraint, trigger, grant and owned sequence of a legacy table;
-- its column types stay as the legacy code created them (varchar, timestamp without time zone).
-- Tables created here use the same column names (the cyrex code's contract) with text/timestamptz.
-- Adopted tables are recorded in legacy_adoptions so the down file can hand them back.
-- Adopted tables keep their legacy grants and are not covered by default privileges: the platform
-- must grant the cyrex login role on them after this migration.
-- Legacy indexes are kept; 0002-0009 add the platform's indexes beside them.

CREATE TABLE legacy_adoptions (
    table_name     text PRIMARY KEY,
    from_schema    text NOT NULL,
    original_owner text NOT NULL,
    adopted_at     timestamptz NOT NULL DEFAULT now()
);

DO $adopt$
DECLARE
    target  text := current_schema();
    tbl     text;
    owner_  text;
    missing text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['agent_playground_messages', 'workflows', 'task_executions', 'events',
                               'cyrex_sessions', 'guardrail_rules', 'guardrail_violations', 'agents',
                               'agent_states', 'cyrex_vendors', 'cyrex_invoices', 'cyrex_pricing_benchmarks']
    LOOP
        SELECT pg_get_userbyid(c.relowner) INTO owner_
          FROM pg_class c
         WHERE c.relnamespace = 'public'::regnamespace AND c.relname = tbl AND c.relkind IN ('r', 'p');
        CONTINUE WHEN owner_ IS NULL;
        IF to_regclass(format('%I.%I', target, tbl)) IS NOT NULL THEN
            RAISE EXCEPTION 'cyrex 0001: both public.% and %.% exist', tbl, target, tbl
                USING HINT = 'Merge or drop one of them by hand, then re-run the migration.';
        END IF;
        EXECUTE format('ALTER TABLE public.%I SET SCHEMA %I', tbl, target);
        INSERT INTO legacy_adoptions (table_name, from_schema, original_owner) VALUES (tbl, 'public', owner_);
    END LOOP;

    -- the later migrations index these columns: an adopted table must have them
    SELECT string_agg(format('%s.%s (%s)', r.tbl, r.col, coalesce(r.typ, 'any type')), ', ' ORDER BY r.tbl, r.col)
      INTO missing
      FROM (VALUES ('agent_playground_messages', 'instance_id', NULL), ('agent_playground_messages', 'created_at', NULL),
                   ('workflows', 'status', NULL), ('workflows', 'updated_at', NULL),
                   ('task_executions', 'workflow_id', NULL), ('task_executions', 'agent_id', NULL),
                   ('task_executions', 'status', NULL), ('task_executions', 'created_at', NULL),
                   ('events', 'entity_type', NULL), ('events', 'entity_id', NULL), ('events', 'event_type', NULL),
                   ('events', 'workflow_id', NULL), ('events', 'created_at', NULL),
                   ('cyrex_sessions', 'user_id', NULL), ('cyrex_sessions', 'agent_id', NULL),
                   ('cyrex_sessions', 'last_activity', NULL), ('cyrex_sessions', 'expires_at', NULL),
                   ('guardrail_violations', 'rule_id', NULL), ('guardrail_violations', 'timestamp', NULL),
                   ('cyrex_vendors', 'vendor_name', NULL), ('cyrex_vendors', 'current_risk_score', NULL),
                   ('cyrex_vendors', 'last_activity', NULL), ('cyrex_vendors', 'industries_served', 'jsonb'),
                   ('cyrex_invoices', 'vendor_id', NULL), ('cyrex_invoices', 'industry', NULL),
                   ('cyrex_invoices', 'invoice_date', NULL), ('cyrex_invoices', 'fraud_detected', 'boolean'))
           AS r (tbl, col, typ)
      JOIN legacy_adoptions a ON a.table_name = r.tbl
     WHERE NOT EXISTS (SELECT 1 FROM pg_attribute att
                        WHERE att.attrelid = to_regclass(format('%I.%I', target, r.tbl))
                          AND att.attname = r.col AND att.attnum > 0 AND NOT att.attisdropped
                          AND (r.typ IS NULL OR att.atttypid = r.typ::regtype));
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'cyrex 0001: adopted legacy tables lack columns the cyrex indexes need: %', missing
            USING HINT = 'Add the columns to the legacy tables in public (or rename them), then re-run; nothing was moved.';
    END IF;
END
$adopt$;

-- created only where no legacy table was adopted above

CREATE TABLE IF NOT EXISTS agent_playground_messages (
    message_id  text PRIMARY KEY,
    instance_id text NOT NULL,
    agent_id    text,
    role        text NOT NULL,
    content     text NOT NULL,
    tool_calls  jsonb,
    is_error    boolean DEFAULT false,
    metadata    jsonb DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS workflows (
    workflow_id     text PRIMARY KEY,
    name            text,
    description     text,
    workflow_type   text,
    status          text DEFAULT 'pending',
    current_step    text,
    total_steps     integer DEFAULT 0,
    completed_steps integer DEFAULT 0,
    state_data      jsonb DEFAULT '{}',
    step_results    jsonb DEFAULT '{}',
    assigned_agents jsonb DEFAULT '[]',
    checkpoints     jsonb DEFAULT '[]',
    error           text,
    error_count     integer DEFAULT 0,
    metadata        jsonb DEFAULT '{}',
    tags            jsonb DEFAULT '[]',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    completed_at    timestamptz,
    deadline        timestamptz
);

CREATE TABLE IF NOT EXISTS task_executions (
    execution_id      text PRIMARY KEY,
    workflow_id       text REFERENCES workflows (workflow_id) ON DELETE SET NULL,
    agent_id          text,
    task_name         text NOT NULL,
    task_type         text,
    priority          text DEFAULT 'normal',
    status            text DEFAULT 'pending',
    input_data        jsonb DEFAULT '{}',
    output_data       jsonb,
    error             text,
    retry_count       integer DEFAULT 0,
    max_retries       integer DEFAULT 3,
    timeout_seconds   integer DEFAULT 300,
    execution_time_ms double precision,
    created_at        timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz,
    completed_at      timestamptz
);

CREATE TABLE IF NOT EXISTS events (
    event_id    text PRIMARY KEY,
    event_type  text NOT NULL,
    entity_type text,
    entity_id   text,
    workflow_id text,
    agent_id    text,
    session_id  text,
    source      text DEFAULT 'cyrex',
    payload     jsonb DEFAULT '{}',
    severity    text DEFAULT 'info',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS cyrex_sessions (
    session_id    text PRIMARY KEY,
    user_id       text,
    agent_id      text,
    status        text NOT NULL,
    context       jsonb,
    metadata      jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    last_activity timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS guardrail_rules (
    rule_id     text PRIMARY KEY,
    name        text NOT NULL,
    pattern     text NOT NULL,
    action      text NOT NULL,
    severity    text NOT NULL,
    description text,
    enabled     boolean DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- rule_id has no foreign key: the cyrex code logs violations of built-in and custom rules that are
-- never stored in guardrail_rules
CREATE TABLE IF NOT EXISTS guardrail_violations (
    violation_id text PRIMARY KEY,
    rule_id      text NOT NULL,
    content      text,
    action_taken text,
    severity     text,
    metadata     jsonb,
    "timestamp"  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS agents (
    agent_id      text PRIMARY KEY,
    role          text NOT NULL,
    name          text NOT NULL,
    description   text,
    capabilities  jsonb,
    tools         jsonb,
    model_config  jsonb,
    temperature   double precision DEFAULT 0.7,
    max_tokens    integer DEFAULT 2000,
    system_prompt text,
    guardrails    jsonb,
    metadata      jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- agent_id has no foreign key: states are reported for in-memory agents that are not registered
CREATE TABLE IF NOT EXISTS agent_states (
    agent_id      text PRIMARY KEY,
    status        text NOT NULL,
    current_task  text,
    metadata      jsonb,
    last_activity timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS cyrex_vendors (
    vendor_id                 text PRIMARY KEY,
    vendor_name               text NOT NULL,
    industries_served         jsonb DEFAULT '[]',
    total_invoices_analyzed   integer DEFAULT 0,
    total_invoice_amount      numeric(15, 2) DEFAULT 0,
    fraud_flags_count         integer DEFAULT 0,
    fraud_flags_by_industry   jsonb DEFAULT '{}',
    fraud_types_detected      jsonb DEFAULT '[]',
    average_invoice_amount    numeric(15, 2) DEFAULT 0,
    average_price_deviation   numeric(10, 2) DEFAULT 0,
    pricing_deviation_history jsonb DEFAULT '[]',
    current_risk_score        numeric(5, 2) DEFAULT 0,
    risk_level                text DEFAULT 'low',
    risk_history              jsonb DEFAULT '[]',
    cross_industry_flags      integer DEFAULT 0,
    flagged_by_industries     jsonb DEFAULT '[]',
    first_seen                timestamptz DEFAULT now(),
    last_activity             timestamptz DEFAULT now(),
    status                    text DEFAULT 'active',
    metadata                  jsonb DEFAULT '{}',
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now()
);

-- vendor_id has no foreign key, as in the cyrex code's table (the vendor row is upserted separately)
CREATE TABLE IF NOT EXISTS cyrex_invoices (
    invoice_id       text PRIMARY KEY,
    vendor_id        text NOT NULL,
    vendor_name      text NOT NULL,
    industry         text NOT NULL,
    invoice_number   text,
    invoice_date     timestamptz,
    total_amount     numeric(15, 2) NOT NULL,
    service_category text,
    fraud_detected   boolean DEFAULT false,
    risk_score       numeric(5, 2) DEFAULT 0,
    risk_level       text DEFAULT 'low',
    fraud_indicators jsonb DEFAULT '[]',
    analyzed_at      timestamptz DEFAULT now(),
    metadata         jsonb DEFAULT '{}',
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS cyrex_pricing_benchmarks (
    benchmark_id text PRIMARY KEY,
    service_type text NOT NULL,
    industry     text NOT NULL,
    location     text,
    min_price    numeric(15, 2),
    avg_price    numeric(15, 2) NOT NULL,
    max_price    numeric(15, 2),
    unit         text,
    sample_size  integer DEFAULT 0,
    last_updated timestamptz DEFAULT now(),
    metadata     jsonb DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    -- one benchmark per service, industry and location (the cyrex code's unique index)
    UNIQUE (service_type, industry, location)
);

-- hand every table of this schema (adopted or created, with their owned sequences and indexes)
-- to the cyrex owner role
DO $owner$
DECLARE
    target    text := current_schema();
    new_owner text := coalesce(nullif(current_setting('pgplatform.owner_role', true), ''),
                               (SELECT pg_get_userbyid(n.nspowner) FROM pg_namespace n WHERE n.nspname = current_schema()));
    tbl       text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = new_owner) THEN
        RAISE EXCEPTION 'cyrex 0001: pgplatform.owner_role names no role: %', new_owner
            USING HINT = 'Set pgplatform.owner_role to the cyrex owner role for this transaction.';
    END IF;
    FOR tbl IN SELECT c.relname FROM pg_class c
                WHERE c.relnamespace = target::regnamespace AND c.relkind IN ('r', 'p')
                  AND pg_get_userbyid(c.relowner) <> new_owner
                ORDER BY c.relname
    LOOP
        EXECUTE format('ALTER TABLE %I.%I OWNER TO %I', target, tbl, new_owner);
    END LOOP;
END
$owner$;
