-- mcp_inference_enhancement 0002: drop the embeddings indexes
DROP INDEX embeddings_metadata_gin_idx;
DROP INDEX embeddings_embedding_hnsw_idx;
