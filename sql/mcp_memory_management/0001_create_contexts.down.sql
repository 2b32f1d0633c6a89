-- mcp_memory_management 0001: drop contexts
DROP TABLE contexts;
