-- mcp_documentation 0003: drop the documents indexes
DROP INDEX documents_search_tsv_gin_idx;
