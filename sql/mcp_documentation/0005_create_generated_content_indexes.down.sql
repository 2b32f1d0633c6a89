-- mcp_documentation 0005: drop the generated_content indexes
DROP INDEX generated_content_drafts_idx;
DROP INDEX generated_content_document_id_idx;
DROP INDEX generated_content_project_id_created_at_idx;
