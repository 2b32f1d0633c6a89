-- agent_persistence 0014: insights of a project by type; tag filters; full-text search over content
CREATE INDEX agent_project_insights_project_type_idx ON agent_project_insights (project, insight_type);
CREATE INDEX agent_project_insights_tags_gin_idx ON agent_project_insights USING gin (tags);
CREATE INDEX agent_project_insights_content_fts_idx ON agent_project_insights
    USING gin (to_tsvector('english', content));
