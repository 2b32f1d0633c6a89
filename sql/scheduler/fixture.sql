-- scheduler fixture: 1k tasks (most active, due over the next day), 10k executions (mostly completed).
-- Runs as the owner role into empty temporary copies of the tables, rolled back (sql/README.md).
SELECT setseed(0.42);

INSERT INTO scheduler_tasks (id, name, command, schedule, is_active, next_run_at)
SELECT i, 'task-' || i, '/usr/local/bin/job --id ' || i,
       (ARRAY['*/5 * * * *','0 * * * *','0 3 * * *','15 2 * * 1'])[1 + i % 4],
       random() < 0.9,
       now() - interval '2 minutes' + random() * interval '1 day'
FROM generate_series(1, 1000) AS i;

INSERT INTO scheduler_executions (task_id, status, start_time, end_time, exit_code, output, created_at)
SELECT 1 + floor(random() * 1000)::int,
       CASE WHEN r < 0.93 THEN 'completed' WHEN r < 0.985 THEN 'failed' WHEN r < 0.995 THEN 'running' ELSE 'pending' END,
       t, CASE WHEN r < 0.985 THEN t + interval '40 seconds' END,
       CASE WHEN r < 0.93 THEN 0 WHEN r < 0.985 THEN 1 END,
       'ok', t
FROM (SELECT random() AS r, now() - random() * interval '30 days' AS t FROM generate_series(1, 10000)) s;
