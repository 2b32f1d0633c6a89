-- mcp_memory_management 0004: children of a memory (foreign key, tree walks); a context's memories per level (covers the foreign key)
CREATE INDEX memories_parent_id_idx ON memories (parent_id);
CREATE INDEX memories_context_id_level_idx ON memories (context_id, level);
