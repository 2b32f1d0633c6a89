-- agent_persistence 0017: agent_memory_bank.embedding back to vector(384) and its full-precision HNSW index (the precision halfvec dropped is not restored)
DROP INDEX agent_memory_bank_embedding_hnsw_idx;
ALTER TABLE agent_memory_bank ALTER COLUMN embedding TYPE vector(384);
CREATE INDEX agent_memory_bank_embedding_hnsw_idx ON agent_memory_bank
    USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
