-- vector_store 0002: drop the documents indexes
DROP INDEX documents_metadata_gin_idx;
DROP INDEX documents_created_at_idx;
DROP INDEX documents_embedding_hnsw_idx;
