-- mcp_code_quality 0004: open findings by severity (triage dashboard); occurrences of a finding across reports
CREATE INDEX vulnerabilities_open_severity_idx ON vulnerabilities (severity, created_at DESC) WHERE status = 'open';
CREATE INDEX vulnerabilities_fingerprint_idx ON vulnerabilities (fingerprint);
