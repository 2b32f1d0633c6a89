-- collab_sessions fixture: 5k sessions (10% active), 2.5k conversation chunks, 5k memories,
-- 8k tasks (mostly completed, 3% pending), 2.5k artifacts. The session triggers keep the counters.
-- Sizes: the least a lookup by one session, task, tag or word needs for its index to beat a scan
-- clearly (a few rows of thousands); more rows only make verification slower.
-- Runs as the owner role into empty temporary copies of the tables, rolled back (sql/README.md).
SELECT setseed(0.42);

INSERT INTO sessions (id, title, participants, status, created, last_activity)
SELECT i, 'Session ' || i,
       jsonb_build_array('user-' || floor(random() * 500)::int,
                         (ARRAY['claude_code','codex','gemini_cli','researcher'])[1 + i % 4]),
       CASE WHEN r < 0.10 THEN 'active' WHEN r < 0.20 THEN 'paused' ELSE 'completed' END,
       now() - (5001 - i) * interval '1 hour', now() - (5001 - i) * interval '1 hour' + interval '30 minutes'
FROM (SELECT i, random() AS r FROM generate_series(1, 5000) AS i) s;

INSERT INTO conversation_chunks (session_id, chunk_id, content, format, extracted_items)
SELECT 1 + i % 5000, 'chunk-' || i,
       'user: can we ' || (ARRAY['rollback','deploy','review','benchmark','document','refactor'])[1 + floor(random() * 6)::int]
         || ' the ' || (ARRAY['migration','pipeline','scheduler','frontend','index','worker'])[1 + floor(random() * 6)::int]
         || E' today?\nassistant: ' || repeat('Yes, I will check the logs and report back. ', 5 + i % 20),
       (ARRAY['dialogue','summary','transcript'])[1 + i % 3],
       '{"ideas": [], "decisions": []}'
FROM generate_series(1, 2500) AS i;

INSERT INTO memories (session_id, type, key, content, tags)
SELECT 1 + i % 5000,
       (ARRAY['idea','decision','question','action_item','context','preference','fact','risk'])[1 + floor(random() * 8)::int],
       'mem-' || i,
       jsonb_build_object('text', 'Use ' || (ARRAY['pgvector','redis','kafka','celery','pgbouncer'])[1 + floor(random() * 5)::int]
                                  || ' with ' || (ARRAY['hnsw','ivfflat','streams','retries','pooling'])[1 + floor(random() * 5)::int]
                                  || ' for ' || (ARRAY['search','caching','events','jobs','connections'])[1 + floor(random() * 5)::int],
                          'source', 'chunk-' || i),
       ARRAY['tag-' || floor(random() * 400)::int, 'tag-' || floor(random() * 400)::int]
FROM generate_series(1, 5000) AS i;

INSERT INTO tasks (id, session_id, agent_name, task_type, status, priority, input_data, process_id,
                   claimed_by, claimed_at, started_at, completed_at, created_at, lease_token,
                   lease_expires_at, attempts)
SELECT i, 1 + i % 5000, (ARRAY['claude_code','codex','gemini_cli','researcher'])[1 + floor(random() * 4)::int],
       (ARRAY['code','research','document','analysis'])[1 + i % 4], st, floor(random() * 10)::int,
       jsonb_build_object('prompt', 'Task ' || i),
       CASE WHEN st IN ('running', 'completed', 'failed') THEN 10000 + i END,
       CASE WHEN st <> 'pending' THEN 'control-' || (i % 3) END,
       CASE WHEN st <> 'pending' THEN t + interval '1 minute' END,
       CASE WHEN st IN ('running', 'completed', 'failed') THEN t + interval '2 minutes' END,
       CASE WHEN st IN ('completed', 'failed') THEN t + interval '20 minutes' END,
       t,
       CASE WHEN st IN ('claimed', 'running') THEN md5('lease-' || i)::uuid END,
       -- held tasks: leases running out over the next ten minutes, a tenth already out
       CASE WHEN st IN ('claimed', 'running') THEN now() + (i % 600 - 60) * interval '1 second' END,
       CASE WHEN st <> 'pending' THEN 1 ELSE 0 END
FROM (SELECT i, now() - (8001 - i) * interval '37 minutes' AS t,
             CASE WHEN r < 0.90 THEN 'completed' WHEN r < 0.95 THEN 'failed' WHEN r < 0.96 THEN 'running'
                  WHEN r < 0.97 THEN 'claimed' ELSE 'pending' END AS st
      FROM (SELECT i, random() AS r FROM generate_series(1, 8000) AS i) r) s;

INSERT INTO artifacts (session_id, task_id, type, name, content, format)
SELECT 1 + i % 5000, CASE WHEN random() < 0.8 THEN 1 + floor(random() * 8000)::int END,
       (ARRAY['code','document','research','prd','report'])[1 + i % 5], 'artifact-' || i,
       '# Artifact ' || i || E'\n' || 'We need a ' || (ARRAY['retry','error','token','rate','cache','schema'])[1 + floor(random() * 6)::int]
         || ' ' || (ARRAY['budget','handler','bucket','limit','policy','migration'])[1 + floor(random() * 6)::int]
         || '. ' || repeat('Details follow in the next section. ', 3 + i % 10),
       (ARRAY['markdown','python','json'])[1 + i % 3]
FROM generate_series(1, 2500) AS i;
