-- mcp_web_access fixture: 4k cache entries (3% expired), 6k searches, 12k API calls over 30 days, 2k screenshots.
-- Runs as the owner role inside a transaction that is rolled back.
SELECT setseed(0.42);

INSERT INTO cache_entries (cache_key, url, status_code, content_type, body, fetched_at, expires_at)
SELECT md5('GET https://example.com/page/' || i), 'https://example.com/page/' || i, 200, 'text/html',
       '<html>page ' || i || '</html>', f,
       CASE WHEN random() < 0.03 THEN f + interval '1 minute' ELSE now() + random() * interval '1 day' END
FROM (SELECT i, now() - random() * interval '2 hours' AS f FROM generate_series(1, 4000) AS i) s;

INSERT INTO search_history (query, engine, requested_by, result_count, created_at)
SELECT (ARRAY['postgres','python','docker','kubernetes','rust','react','terraform','redis'])[1 + floor(random() * 8)::int]
         || ' ' || (ARRAY['vector','tutorial','errors','performance','release notes','migration','security','examples'])[1 + floor(random() * 8)::int]
         || ' ' || (2020 + i % 6),
       (ARRAY['google','bing','brave'])[1 + i % 3], 'agent-' || (i % 100), 10,
       now() - random() * interval '90 days'
FROM generate_series(1, 6000) AS i;

-- calls arrive in time order over the last 30 days
INSERT INTO api_usage (provider, endpoint, status_code, units, cost_usd, latency_ms, requested_by, requested_at)
SELECT (ARRAY['serpapi','openai','github','firecrawl','brave'])[1 + i % 5], '/v1/endpoint-' || (i % 7), 200,
       1 + i % 3, 0.002, 50 + floor(random() * 900)::int, 'agent-' || (i % 100),
       now() - interval '30 days' + i * interval '215 seconds'
FROM generate_series(1, 12000) AS i;

INSERT INTO screenshots (url, storage_path, width, height, captured_at)
SELECT 'https://example.com/page/' || (i % 400), 's3://web-shots/' || i || '.png', 1280, 720,
       now() - random() * interval '60 days'
FROM generate_series(1, 2000) AS i;
