-- orchestrator fixture: 5k workflows (mostly completed), 10k executions (mostly completed).
-- Runs as the owner role into empty temporary copies of the tables, rolled back (sql/README.md).
SELECT setseed(0.42);

INSERT INTO workflows (id, name, definition, status, created_by, created_at, updated_at)
SELECT i, 'workflow-' || i,
       jsonb_build_object('steps', jsonb_build_array('plan', 'code', 'review', 'test'), 'agents', 2 + i % 3),
       CASE WHEN r < 0.80 THEN 'completed' WHEN r < 0.90 THEN 'failed' WHEN r < 0.95 THEN 'draft' ELSE 'active' END,
       'user-' || (i % 50),
       now() - random() * interval '180 days', now() - random() * interval '30 days'
FROM (SELECT i, random() AS r FROM generate_series(1, 5000) AS i) s;

INSERT INTO workflow_executions (workflow_id, status, current_step, input_data, started_at, completed_at, created_at)
SELECT 1 + floor(random() * 5000)::int,
       CASE WHEN r < 0.92 THEN 'completed' WHEN r < 0.985 THEN 'failed' WHEN r < 0.995 THEN 'running' ELSE 'pending' END,
       floor(random() * 4)::int, '{}', t, CASE WHEN r < 0.985 THEN t + interval '5 minutes' END, t
FROM (SELECT random() AS r, now() - random() * interval '90 days' AS t FROM generate_series(1, 10000)) s;
