-- mcp_documentation 0005: a project's generated content (covers the foreign key); content of a document; drafts awaiting review
CREATE INDEX generated_content_project_id_created_at_idx ON generated_content (project_id, created_at DESC);
CREATE INDEX generated_content_document_id_idx ON generated_content (document_id);
CREATE INDEX generated_content_drafts_idx ON generated_content (created_at) WHERE status = 'draft';
