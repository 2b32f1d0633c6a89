-- mcp_code_quality fixture: 1k reports over 50 repositories, 6k vulnerabilities (few open criticals),
-- 12k metrics, 4k suggestions. Runs as the owner role into empty temporary copies of the tables, rolled back (sql/README.md).
SELECT setseed(0.42);

INSERT INTO analysis_reports (id, repository, commit_sha, branch, tool, status, started_at, completed_at, created_at)
SELECT i, 'org/repo-' || (i % 50), md5(i::text), 'main', (ARRAY['semgrep','ruff','eslint','bandit'])[1 + i % 4],
       CASE WHEN random() < 0.97 THEN 'completed' ELSE 'failed' END, t, t + interval '4 minutes', t
FROM (SELECT i, now() - (1001 - i) * interval '5 hours' AS t FROM generate_series(1, 1000) AS i) s;

INSERT INTO vulnerabilities (report_id, rule_id, cwe, severity, status, file_path, line, message, fingerprint, created_at)
SELECT 1 + i % 1000, 'rule-' || (i % 300), 'CWE-' || (20 + i % 60),
       CASE WHEN r < 0.40 THEN 'info' WHEN r < 0.70 THEN 'low' WHEN r < 0.90 THEN 'medium'
            WHEN r < 0.98 THEN 'high' ELSE 'critical' END,
       CASE WHEN random() < 0.2 THEN 'open' ELSE 'fixed' END,
       'src/pkg' || (i % 40) || '/mod' || (i % 13) || '.py', 1 + i % 800, 'Finding ' || i,
       'fp-' || (i % 1600), now() - random() * interval '200 days'
FROM (SELECT i, random() AS r FROM generate_series(1, 6000) AS i) s;

INSERT INTO code_metrics (report_id, file_path, metric_name, metric_value, created_at)
SELECT 1 + i % 1000, 'src/pkg' || (i % 40) || '/mod' || (i % 13) || '.py',
       (ARRAY['cyclomatic_complexity','loc','maintainability_index','duplication_pct'])[1 + (i / 1000) % 4],
       random() * 50, now() - random() * interval '200 days'
FROM generate_series(1, 12000) AS i;

INSERT INTO refactoring_suggestions (report_id, file_path, suggestion, priority, status)
SELECT 1 + floor(random() * 1000)::int, 'src/pkg' || (i % 40) || '/mod' || (i % 13) || '.py',
       'Extract function from block ' || i, (ARRAY['low','medium','high'])[1 + i % 3],
       (ARRAY['open','accepted','rejected','applied'])[1 + i % 4]
FROM generate_series(1, 4000) AS i;
