-- mcp_analytics fixture: 2k datasets, 2k charts, 6k analyses (mostly completed), 10k predictions.
-- Runs as the owner role into empty temporary copies of the tables, rolled back (sql/README.md).
SELECT setseed(0.42);

INSERT INTO datasets (id, name, source, format, row_count, storage_uri)
SELECT i, 'dataset-' || i, 'warehouse', (ARRAY['csv','json','parquet','sql'])[1 + i % 4],
       floor(random() * 1e7)::bigint, 's3://datasets/' || i
FROM generate_series(1, 2000) AS i;

INSERT INTO visualizations (dataset_id, title, chart_type, config)
SELECT 1 + floor(random() * 2000)::int, 'Chart ' || i,
       (ARRAY['bar','line','pie','scatter','histogram','heatmap','table'])[1 + i % 7], '{"x": "date"}'
FROM generate_series(1, 2000) AS i;

INSERT INTO analysis_results (id, dataset_id, analysis_type, status, result, created_at, completed_at)
SELECT i, 1 + floor(random() * 2000)::int,
       (ARRAY['descriptive','correlation','anomaly','trend','pattern'])[1 + i % 5],
       CASE WHEN r < 0.93 THEN 'completed' WHEN r < 0.98 THEN 'failed' WHEN r < 0.99 THEN 'running' ELSE 'pending' END,
       CASE WHEN r < 0.93 THEN '{"ok": true}'::jsonb END,
       t, CASE WHEN r < 0.98 THEN t + interval '2 minutes' END
FROM (SELECT i, random() AS r, now() - random() * interval '120 days' AS t FROM generate_series(1, 6000) AS i) s;

INSERT INTO predictions (dataset_id, analysis_result_id, model, target, predicted_value, confidence, predicted_for)
SELECT 1 + floor(random() * 2000)::int, CASE WHEN random() < 0.8 THEN 1 + floor(random() * 6000)::int END,
       'prophet', 'daily_revenue', random() * 2000, random(),
       now() - interval '180 days' + random() * interval '200 days'
FROM generate_series(1, 10000) AS i;
