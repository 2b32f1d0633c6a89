-- agent_persistence fixture: 50 agents, 2k sessions, 2k-8k rows per log table, 1.5k vector memories
-- (384-d, 40 topics; see below for why that few suffice for HNSW).
-- Runs as the owner role into empty temporary copies of the tables, rolled back (sql/README.md).
SELECT setseed(0.42);

INSERT INTO agent_decision_trees (agent_id, decision_context, decision_path, outcome, created_at)
SELECT 'agent-' || floor(random() * 50)::int,
       'Request ' || i || ': decide how to handle the change',
       jsonb_build_object('root', 'classify_request',
                          'branch', (ARRAY['refactor','bugfix','feature','test','docs'])[1 + i % 5] || '-' || floor(random() * 100)::int,
                          'depth', 1 + floor(random() * 6)::int),
       CASE WHEN random() < 0.85 THEN 'success' ELSE 'failure' END,
       now() - random() * interval '180 days'
FROM generate_series(1, 4000) AS i;

INSERT INTO agent_learning_patterns (pattern_type, pattern_data, effectiveness_score, usage_count, last_used)
SELECT (ARRAY['code_fix','test_strategy','refactoring','prompting','tool_choice','review','planning','debugging'])[1 + i % 8],
       jsonb_build_object('trigger', 'trigger-' || floor(random() * 1000)::int, 'action', 'action-' || (i % 37)),
       CASE WHEN random() < 0.05 THEN NULL ELSE random() END,
       floor(random() * 200)::int,
       now() - random() * interval '90 days'
FROM generate_series(1, 2000) AS i;

INSERT INTO agent_context_evolution (session_id, context_snapshot, evolution_trigger, "timestamp")
SELECT 'sess-' || (i % 2000),
       jsonb_build_object('files_open', i % 12, 'focus', 'module-' || (i % 40)),
       (ARRAY['user_message','tool_result','file_change','error'])[1 + i % 4],
       now() - interval '30 days' + i * interval '10 minutes'
FROM generate_series(1, 3000) AS i;

-- Inserted into the copy's HNSW index, built empty like the live one. Every row of a
-- topic carries its topic's 384-d embedding: HNSW keeps equal vectors as one element with up to
-- 10 heap TIDs, so each insert searches a graph of ~150 elements and the index stays small
-- against the heap, which is what the planner weighs (index pages and ef_search against heap
-- pages). At 1.5k rows HNSW is chosen at hnsw.ef_search = 100 (dev, staging, prod) and 40 (ci).
INSERT INTO agent_memory_bank (agent_id, memory_type, content, embedding, importance, access_count, created_at)
SELECT 'agent-' || (i % 50),
       (ARRAY['episodic','semantic','procedural','working'])[1 + i % 4],
       'Memory ' || i || ': the build needs the migrations applied before the tests run',
       t.embedding,
       random(), floor(random() * 50)::int,
       now() - random() * interval '120 days'
FROM generate_series(1, 1500) AS i
JOIN (SELECT k, (SELECT array_agg(sin(d * k) ORDER BY d) FROM generate_series(1, 384) AS d)::vector AS embedding
      FROM generate_series(1, 40) AS k) t ON t.k = 1 + i % 40;

INSERT INTO agent_session_history (id, session_id, agent_id, project, status, summary, started_at, ended_at)
SELECT i, 'sess-' || i, 'agent-' || (i % 50), 'project-' || (i % 100),
       CASE WHEN r < 0.02 THEN 'active' WHEN r < 0.95 THEN 'completed' ELSE 'aborted' END,
       'Session ' || i || ' summary',
       now() - (2001 - i) * interval '75 minutes',
       CASE WHEN r < 0.02 THEN NULL ELSE now() - (2001 - i) * interval '75 minutes' + interval '25 minutes' END
FROM (SELECT i, random() AS r FROM generate_series(1, 2000) AS i) s;

INSERT INTO agent_code_analysis (session_id, file_path, language, analysis_type, severity, findings, created_at)
SELECT CASE WHEN random() < 0.9 THEN 'sess-' || (1 + floor(random() * 2000)::int) END,
       'src/module_' || floor(random() * 100)::int || '/file_' || floor(random() * 20)::int || '.py',
       'python', (ARRAY['lint','complexity','security','types'])[1 + i % 4],
       CASE WHEN r < 0.60 THEN 'info' WHEN r < 0.85 THEN 'low' WHEN r < 0.97 THEN 'medium'
            WHEN r < 0.995 THEN 'high' ELSE 'critical' END,
       jsonb_build_array(jsonb_build_object('rule', 'R' || (i % 90), 'line', i % 400)),
       now() - random() * interval '90 days'
FROM (SELECT i, random() AS r FROM generate_series(1, 8000) AS i) s;

INSERT INTO agent_project_insights (project, insight_type, title, content, confidence, tags)
SELECT 'project-' || (i % 100),
       (ARRAY['architecture','dependency','performance','security','testing','convention','risk','ownership'])[1 + (i / 100) % 8],
       'Insight ' || i,
       (ARRAY['The worker pool', 'The payment service', 'The migration runner', 'The cache layer', 'The scheduler'])[1 + i % 5]
         || ' ' || (ARRAY['handles timeouts with a retry loop', 'hits a deadlock under load', 'logs every request body',
                         'depends on a pinned library', 'lacks integration tests', 'needs a retry budget',
                         'shares one connection pool', 'caches responses for an hour'])[1 + floor(random() * 8)::int]
         || ' in ' || (ARRAY['production','staging','CI','local development'])[1 + floor(random() * 4)::int] || '.',
       random(),
       ARRAY['tag-' || floor(random() * 300)::int, 'tag-' || floor(random() * 300)::int]
FROM generate_series(1, 2000) AS i;

INSERT INTO agent_collaboration_logs (session_id, from_agent, to_agent, message_type, payload, created_at)
SELECT 'sess-' || (1 + floor(random() * 2000)::int), 'agent-' || floor(random() * 50)::int,
       CASE WHEN random() < 0.9 THEN 'agent-' || floor(random() * 50)::int END,
       (ARRAY['request','response','handoff','broadcast','status'])[1 + i % 5],
       jsonb_build_object('seq', i),
       now() - random() * interval '60 days'
FROM generate_series(1, 3000) AS i;
