-- cyrex fixture: an agent platform (3k messages, 5k workflows, 10k task executions, 25k events,
-- 2k sessions, 2k guardrail violations, 5k vendors, 4k invoices): a selective lookup wins from about
-- a thousand rows (several thousand where a query keeps a few percent of them, as workflows or
-- executions by status); events keep 25k rows (~6 block ranges) so that their BRIN index skips most of
-- the table, and vendors 5k so that GIN beats a scan of their jsonb. Explicit column lists, and values
-- for every column the legacy tables declare NOT NULL without default, so it also loads into adopted
-- legacy tables. Runs as the owner role inside a transaction that is rolled back.
SELECT setseed(0.42);

INSERT INTO agent_playground_messages (message_id, instance_id, agent_id, role, content, metadata, created_at)
SELECT 'msg-' || i, 'inst-' || (i % 200), 'agent-' || (i % 50),
       CASE WHEN i % 2 = 0 THEN 'user' ELSE 'assistant' END, 'Message ' || i, '{}',
       now() - interval '90 days' + i * interval '2590 seconds'
FROM generate_series(1, 3000) AS i;

INSERT INTO workflows (workflow_id, name, workflow_type, status, total_steps, created_at, updated_at)
SELECT 'wf-' || i, 'Workflow ' || i, (ARRAY['invoice_review','vendor_check','chat','research'])[1 + i % 4],
       CASE WHEN r < 0.85 THEN 'completed' WHEN r < 0.93 THEN 'failed' WHEN r < 0.96 THEN 'cancelled'
            WHEN r < 0.98 THEN 'running' ELSE 'pending' END,
       4, now() - random() * interval '120 days', now() - random() * interval '30 days'
FROM (SELECT i, random() AS r FROM generate_series(1, 5000) AS i) s;

INSERT INTO task_executions (execution_id, workflow_id, agent_id, task_name, task_type, status, created_at)
SELECT 'exec-' || i, CASE WHEN random() < 0.9 THEN 'wf-' || (1 + floor(random() * 5000)::int) END,
       'agent-' || (i % 50), 'task-' || (i % 40), 'tool_call',
       CASE WHEN r < 0.90 THEN 'completed' WHEN r < 0.96 THEN 'failed' WHEN r < 0.97 THEN 'cancelled'
            WHEN r < 0.98 THEN 'queued' WHEN r < 0.99 THEN 'running' ELSE 'pending' END,
       now() - random() * interval '60 days'
FROM (SELECT i, random() AS r FROM generate_series(1, 10000) AS i) s;

-- the audit log is appended in time order
INSERT INTO events (event_id, event_type, entity_type, entity_id, workflow_id, agent_id, payload, severity, created_at)
SELECT 'evt-' || i,
       CASE WHEN r < 0.005 THEN 'guardrail.blocked'
            ELSE (ARRAY['workflow.started','workflow.step','workflow.completed','agent.invoked','tool.called'])[1 + i % 5] END,
       'workflow', 'wf-' || (1 + i % 10000), 'wf-' || (1 + i % 10000), 'agent-' || (i % 50), '{}',
       CASE WHEN r < 0.02 THEN 'error' ELSE 'info' END,
       now() - interval '60 days' + i * interval '206 seconds'
FROM (SELECT i, random() AS r FROM generate_series(1, 25000) AS i) s;

INSERT INTO cyrex_sessions (session_id, user_id, agent_id, status, context, created_at, updated_at, expires_at, last_activity)
SELECT 'sess-' || i, 'user-' || (i % 1000), 'agent-' || (i % 500), 'active', '{}', t, t,
       CASE WHEN random() < 0.03 THEN now() - interval '1 hour' ELSE now() + interval '1 day' END,
       t + interval '10 minutes'
FROM (SELECT i, now() - random() * interval '30 days' AS t FROM generate_series(1, 2000) AS i) s;

INSERT INTO guardrail_rules (rule_id, name, pattern, action, severity, created_at, updated_at)
SELECT 'rule-' || i, 'Rule ' || i, '\b(word' || i || ')\b', (ARRAY['block','warn','modify'])[1 + i % 3], 'medium', now(), now()
FROM generate_series(1, 200) AS i;

INSERT INTO guardrail_violations (violation_id, rule_id, content, action_taken, severity, "timestamp")
SELECT 'viol-' || i, 'rule-' || (1 + i % 200), 'offending text ' || i, 'warn', 'medium',
       now() - interval '30 days' + i * interval '1290 seconds'
FROM generate_series(1, 2000) AS i;

INSERT INTO agents (agent_id, role, name, capabilities, created_at, updated_at)
SELECT 'agent-' || i, (ARRAY['orchestrator','researcher','coder','reviewer'])[1 + i % 4], 'Agent ' || i, '[]', now(), now()
FROM generate_series(0, 49) AS i;

INSERT INTO agent_states (agent_id, status, current_task, last_activity, updated_at)
SELECT 'agent-' || i, 'idle', NULL, now(), now() FROM generate_series(0, 49) AS i;

INSERT INTO cyrex_vendors (vendor_id, vendor_name, industries_served, current_risk_score, risk_level, status, last_activity)
SELECT 'vendor-' || i, 'Vendor ' || i,
       jsonb_build_array(ind[1 + i % 12], ind[1 + (i / 12) % 12]),
       round((random() * 100)::numeric, 2), (ARRAY['low','medium','high','critical'])[1 + floor(power(random(), 3) * 4)::int],
       CASE WHEN random() < 0.9 THEN 'active' ELSE 'flagged' END,
       now() - random() * interval '90 days'
FROM (SELECT i, ARRAY['construction','insurance','property_management','retail','logistics','healthcare',
                      'manufacturing','hospitality','education','energy','legal','procurement'] AS ind
      FROM generate_series(1, 5000) AS i) s;

INSERT INTO cyrex_invoices (invoice_id, vendor_id, vendor_name, industry, invoice_date, total_amount, fraud_detected, risk_score)
SELECT 'inv-' || i, 'vendor-' || v, 'Vendor ' || v,
       (ARRAY['construction','insurance','property_management','retail','logistics','healthcare',
              'manufacturing','hospitality','education','energy','legal','procurement'])[1 + i % 12],
       now() - random() * interval '365 days', round((100 + random() * 9900)::numeric, 2),
       random() < 0.02, round((random() * 100)::numeric, 2)
FROM (SELECT i, 1 + floor(random() * 1000)::int AS v FROM generate_series(1, 4000) AS i) s;

INSERT INTO cyrex_pricing_benchmarks (benchmark_id, service_type, industry, location, avg_price, sample_size)
SELECT 'bench-' || i, 'service-' || (i % 200), 'industry-' || (i / 200), 'US', 100 + i % 500, 10
FROM generate_series(1, 2000) AS i;
