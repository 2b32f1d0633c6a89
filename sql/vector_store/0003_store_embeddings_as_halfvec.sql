-- vector_store 0003: embeddings stored as halfvec(384) under a halfvec HNSW index: at equal recall@10 it answers as many queries or more than the full-precision index, which is 1.75x its size (scripts/bench, issue 28)
-- Measured by scripts/bench on one copy of the documents, same HNSW options, recall against
-- full-precision exact answers, best q/s at recall@10 >= 0.98: 20,000 chunks of real text
-- embedded with all-MiniLM-L6-v2, halfvec 3,280 q/s (22.3 MB) against full precision 3,064 q/s
-- (39.1 MB); 100,000 synthetic vectors, 2,157 q/s (117 MB) against 1,734 q/s (205 MB). Half
-- precision keeps about three significant digits a dimension: recall at each ef_search is the
-- same within 0.02 (graph construction varies as much).
-- Clients keep their SQL: pgvector casts vector to halfvec implicitly, so `embedding <=>
-- $1::vector` resolves to the halfvec operator and its index, and an inserted vector is stored as
-- halfvec. Reading the column returns halfvec (the same text form; pgvector-python's
-- register_vector gives a HalfVector instead of a numpy array).
-- The type change rewrites the table under an ACCESS EXCLUSIVE lock: on a large table, run it in
-- a quiet hour (scripts/migrate).
DROP INDEX documents_embedding_hnsw_idx;
ALTER TABLE documents ALTER COLUMN embedding TYPE halfvec(384);
CREATE INDEX documents_embedding_hnsw_idx ON documents
    USING hnsw (embedding halfvec_cosine_ops) WITH (m = 16, ef_construction = 200);
