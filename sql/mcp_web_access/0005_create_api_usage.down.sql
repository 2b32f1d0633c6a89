-- mcp_web_access 0005: drop api_usage
DROP TABLE api_usage;
