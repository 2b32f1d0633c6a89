-- vector_store 0003: embeddings back to vector(384) and its full-precision HNSW index (the precision halfvec dropped is not restored)
DROP INDEX documents_embedding_hnsw_idx;
ALTER TABLE documents ALTER COLUMN embedding TYPE vector(384);
CREATE INDEX documents_embedding_hnsw_idx ON documents
    USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 200);
