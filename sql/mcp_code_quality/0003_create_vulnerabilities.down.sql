-- mcp_code_quality 0003: drop vulnerabilities
DROP TABLE vulnerabilities;
