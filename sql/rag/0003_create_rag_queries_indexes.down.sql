-- rag 0003: drop the rag_queries indexes
DROP INDEX rag_queries_created_at_idx;
DROP INDEX rag_queries_session_id_created_at_idx;
