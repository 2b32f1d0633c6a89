-- rag fixture: 1k sessions with 6k queries.
-- Runs as the owner role into empty temporary copies of the tables, rolled back (sql/README.md).
SELECT setseed(0.42);

INSERT INTO rag_sessions (id, session_id, context, created_at)
SELECT i, 'rag-' || md5(i::text), 'Context for session ' || i, now() - (1001 - i) * interval '75 minutes'
FROM generate_series(1, 1000) AS i;

INSERT INTO rag_queries (session_id, query_text, context_used, response, metadata, created_at)
SELECT 1 + floor(random() * 1000)::int,
       'How do I configure feature ' || (i % 700) || '?',
       'Retrieved passages for query ' || i,
       'Answer ' || i,
       jsonb_build_object('top_k', 5, 'latency_ms', floor(random() * 900)::int),
       now() - random() * interval '52 days'
FROM generate_series(1, 6000) AS i;
