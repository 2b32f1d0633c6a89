-- agent_memory 0003: drop the memories indexes
DROP INDEX memories_embedding_hnsw_idx;
DROP INDEX memories_memory_bank_id_importance_idx;
