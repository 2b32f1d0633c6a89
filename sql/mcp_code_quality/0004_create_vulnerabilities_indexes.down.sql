-- mcp_code_quality 0004: drop the vulnerabilities indexes
DROP INDEX vulnerabilities_fingerprint_idx;
DROP INDEX vulnerabilities_open_severity_idx;
