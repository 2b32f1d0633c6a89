-- vector_store 0002: cosine similarity search (HNSW instead of the seed's ivfflat, which needs data before it is built), recency, metadata filters
-- ef_construction = 200 (pgvector's default is 64): on 100k clustered 384-d vectors (scripts/bench)
-- the default graph reaches recall@10 0.97 at hnsw.ef_search = 100 and strands whole queries in a
-- neighbouring cluster; 200 reaches 0.995+ at the same ef_search (queries no slower), for a build
-- about 1.5x as long.
CREATE INDEX documents_embedding_hnsw_idx ON documents
    USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 200);
CREATE INDEX documents_created_at_idx ON documents (created_at);
CREATE INDEX documents_metadata_gin_idx ON documents USING gin (metadata jsonb_path_ops);
