-- rag 0002: drop rag_queries
DROP TABLE rag_queries;
