-- agent_persistence 0008: drop the agent_memory_bank indexes
DROP INDEX agent_memory_bank_agent_id_importance_idx;
DROP INDEX agent_memory_bank_embedding_hnsw_idx;
