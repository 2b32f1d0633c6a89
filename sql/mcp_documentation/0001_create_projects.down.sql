-- mcp_documentation 0001: drop projects
DROP TABLE projects;
