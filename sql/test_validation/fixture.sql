-- test_validation fixture: 200 suites, 4k cases (mostly passed), 10k metric results.
-- Runs as the owner role into empty temporary copies of the tables, rolled back (sql/README.md).
SELECT setseed(0.42);

INSERT INTO test_suites (id, name, description)
SELECT i, 'suite-' || i, 'Test suite ' || i FROM generate_series(1, 200) AS i;

INSERT INTO test_cases (id, test_suite_id, name, status, result, execution_time, created_at, executed_at)
SELECT i, 1 + i % 200, 'test_case_' || i,
       CASE WHEN r < 0.90 THEN 'passed' WHEN r < 0.97 THEN 'failed' WHEN r < 0.99 THEN 'pending' ELSE 'running' END,
       CASE WHEN r < 0.97 THEN 'ok' END,
       CASE WHEN r < 0.97 THEN floor(random() * 5000)::int END,
       now() - random() * interval '60 days',
       CASE WHEN r < 0.97 THEN now() - random() * interval '59 days' END
FROM (SELECT i, random() AS r FROM generate_series(1, 4000) AS i) s;

INSERT INTO test_results (test_case_id, metric_name, metric_value, threshold, status, created_at)
SELECT 1 + floor(random() * 4000)::int,
       (ARRAY['latency_p95_ms','latency_p50_ms','throughput_rps','error_rate','memory_mb',
              'cpu_pct','recall_at_10','precision_at_10','startup_ms','bundle_kb'])[1 + i % 10]
         || CASE WHEN i % 7 = 0 THEN '' ELSE '_' || (i % 40) END,
       round((random() * 1000)::numeric, 4), 500,
       CASE WHEN random() < 0.9 THEN 'pass' WHEN random() < 0.5 THEN 'fail' ELSE 'warning' END,
       now() - random() * interval '60 days'
FROM generate_series(1, 10000) AS i;
