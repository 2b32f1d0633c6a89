-- vector_store 0003: embeddings stored as halfvec(384) under a halfvec HNSW index: at recall@10 >= 0.98 it answered 1.4x the queries of the full-precision index in about half the memory (scripts/bench, issue 28)
-- Measured on 20,000 chunks of real text embedded with all-MiniLM-L6-v2 (vector_real.*): the
-- full-precision HNSW index 39.1 MB, 2,505 q/s at ef_search 40; on halfvec 22.3 MB, 3,460 q/s at
-- ef_search 20, recall against full-precision exact answers. Half precision keeps about three
-- significant digits a dimension, which moves a cosine distance of these unit vectors by ~1e-4.
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
