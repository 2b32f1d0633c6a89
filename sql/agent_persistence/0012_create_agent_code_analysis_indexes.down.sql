-- agent_persistence 0012: drop the agent_code_analysis indexes
DROP INDEX agent_code_analysis_serious_idx;
DROP INDEX agent_code_analysis_file_path_created_at_idx;
DROP INDEX agent_code_analysis_session_id_idx;
