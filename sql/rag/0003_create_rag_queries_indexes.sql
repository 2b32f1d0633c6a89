-- rag 0003: a session's queries in order (covers the foreign key); recent queries across sessions
CREATE INDEX rag_queries_session_id_created_at_idx ON rag_queries (session_id, created_at);
CREATE INDEX rag_queries_created_at_idx ON rag_queries (created_at);
