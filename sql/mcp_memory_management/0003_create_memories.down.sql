-- mcp_memory_management 0003: drop memories
DROP TABLE memories;
