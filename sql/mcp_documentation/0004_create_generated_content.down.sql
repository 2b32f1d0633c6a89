-- mcp_documentation 0004: drop generated_content
DROP TABLE generated_content;
