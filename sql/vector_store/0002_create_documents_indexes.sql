-- vector_store 0002: cosine similarity search (HNSW instead of the seed's ivfflat, which needs data before it is built), recency, metadata filters
CREATE INDEX documents_embedding_hnsw_idx ON documents
    USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
CREATE INDEX documents_created_at_idx ON documents (created_at);
CREATE INDEX documents_metadata_gin_idx ON documents USING gin (metadata jsonb_path_ops);
