-- mcp_documentation 0002: drop documents
DROP TABLE documents;
