-- mcp_memory_management 0006: drop the embeddings indexes
DROP INDEX embeddings_embedding_hnsw_idx;
