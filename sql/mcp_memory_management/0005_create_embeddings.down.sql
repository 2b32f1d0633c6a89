-- mcp_memory_management 0005: drop embeddings
DROP TABLE embeddings;
