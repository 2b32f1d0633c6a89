-- mcp_web_access 0008: latest screenshot of a URL
CREATE INDEX screenshots_url_captured_at_idx ON screenshots (url, captured_at DESC);
