-- agent_persistence 0008: semantic recall (HNSW, cosine); an agent's most important memories
CREATE INDEX agent_memory_bank_embedding_hnsw_idx ON agent_memory_bank
    USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
CREATE INDEX agent_memory_bank_agent_id_importance_idx ON agent_memory_bank (agent_id, importance DESC);
