-- agent_persistence 0014: drop the agent_project_insights indexes
DROP INDEX agent_project_insights_content_fts_idx;
DROP INDEX agent_project_insights_tags_gin_idx;
DROP INDEX agent_project_insights_project_type_idx;
