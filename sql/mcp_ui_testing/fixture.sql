-- mcp_ui_testing fixture: 1k runs, 6k screenshots (5% baselines), 4k comparisons, 4k accessibility reports.
-- Runs as the owner role into empty temporary copies of the tables, rolled back (sql/README.md).
SELECT setseed(0.42);

INSERT INTO test_runs (id, suite, target_url, status, started_at, finished_at, created_at)
SELECT i, 'suite-' || (i % 50), 'https://app.example.com',
       CASE WHEN r < 0.85 THEN 'passed' WHEN r < 0.96 THEN 'failed' WHEN r < 0.98 THEN 'error'
            WHEN r < 0.99 THEN 'running' ELSE 'queued' END,
       t, t + interval '3 minutes', t
FROM (SELECT i, random() AS r, now() - (1001 - i) * interval '100 minutes' AS t FROM generate_series(1, 1000) AS i) s;

INSERT INTO screenshots (id, test_run_id, page_url, viewport, storage_path, sha256, is_baseline, captured_at)
SELECT i, 1 + i % 1000, 'https://app.example.com/page/' || (i % 300),
       (ARRAY['1280x720','390x844','1920x1080'])[1 + i % 3],
       's3://ui-shots/' || i || '.png', md5(i::text), random() < 0.05,
       now() - random() * interval '70 days'
FROM generate_series(1, 6000) AS i;

INSERT INTO visual_comparisons (baseline_screenshot_id, candidate_screenshot_id, diff_ratio, status, created_at)
SELECT 1 + floor(random() * 6000)::int, 1 + floor(random() * 6000)::int, d,
       CASE WHEN d > 0.05 THEN 'failed' WHEN random() < 0.02 THEN 'approved' ELSE 'passed' END,
       now() - random() * interval '70 days'
FROM (SELECT power(random(), 8) AS d FROM generate_series(1, 4000)) s;

INSERT INTO accessibility_reports (test_run_id, page_url, score, violations_count, violations, created_at)
SELECT 1 + i % 1000, 'https://app.example.com/page/' || (i % 300), 60 + random() * 40, 2,
       jsonb_build_array(
           jsonb_build_object('id', 'rule-' || floor(random() * 60)::int,
                              'impact', (ARRAY['minor','moderate','serious','critical'])[1 + floor(random() * 4)::int]),
           jsonb_build_object('id', 'rule-' || floor(random() * 60)::int, 'impact', 'minor')),
       now() - random() * interval '70 days'
FROM generate_series(1, 4000) AS i;
