-- agent_memory 0006: memories.embedding stored as halfvec(384) under a halfvec HNSW index, as vector_store 0003 does: at this module's HNSW options too, halfvec answers as many queries at equal recall@10 (within run-to-run noise) in 57% of the memory (issue 28)
-- Measured on one full-precision copy of 20,000 chunks of real text embedded with
-- all-MiniLM-L6-v2, m = 16, ef_construction = 64 (this module's), best q/s at recall@10 >=
-- 0.98 against full-precision exact answers: full precision 2,357 and 2,464 q/s (two runs,
-- ef_search 40, recall 0.983 and 0.981, 39.1 MB) against halfvec 2,318 and 2,328 q/s (ef_search
-- 40, recall 0.986 both, 22.3 MB); at ef_search 80, 1,765 and 1,905 against 1,899 and 1,889. Equal
-- throughput within run-to-run noise, higher recall at each ef_search from 40, 57% of the memory.
-- Clients keep their SQL: pgvector casts vector to halfvec implicitly, so `embedding <=>
-- $1::vector` resolves to the halfvec operator and its index, and an inserted vector is stored
-- as halfvec. Reading the column returns halfvec (pgvector-python's register_vector gives a
-- HalfVector). The type change rewrites the table under an ACCESS EXCLUSIVE lock: on a large
-- table, run it in a quiet hour (scripts/migrate).
DROP INDEX memories_embedding_hnsw_idx;
ALTER TABLE memories ALTER COLUMN embedding TYPE halfvec(384);
CREATE INDEX memories_embedding_hnsw_idx ON memories
    USING hnsw (embedding halfvec_cosine_ops) WITH (m = 16, ef_construction = 64);
