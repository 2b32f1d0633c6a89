-- rag 0001: drop rag_sessions
DROP TABLE rag_sessions;
