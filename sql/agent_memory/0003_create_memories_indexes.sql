-- agent_memory 0003: retrieve a bank's memories by importance (covers the foreign key); semantic search (HNSW, cosine)
CREATE INDEX memories_memory_bank_id_importance_idx ON memories (memory_bank_id, importance DESC);
CREATE INDEX memories_embedding_hnsw_idx ON memories
    USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
