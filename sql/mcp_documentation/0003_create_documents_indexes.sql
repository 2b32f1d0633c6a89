-- mcp_documentation 0003: full-text search over documentation
CREATE INDEX documents_search_tsv_gin_idx ON documents USING gin (search_tsv);
