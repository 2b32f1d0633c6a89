-- mcp_web_access 0006: drop the api_usage indexes
DROP INDEX api_usage_provider_requested_at_idx;
