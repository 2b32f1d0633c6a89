-- mcp_web_access 0006: usage of a provider in a time window (rate limits, cost)
CREATE INDEX api_usage_provider_requested_at_idx ON api_usage (provider, requested_at);
