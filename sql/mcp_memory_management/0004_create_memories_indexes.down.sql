-- mcp_memory_management 0004: drop the memories indexes
DROP INDEX memories_context_id_level_idx;
DROP INDEX memories_parent_id_idx;
