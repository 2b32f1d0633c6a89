-- agent_persistence 0012: analyses of a session (foreign key); history of a file; open serious findings
CREATE INDEX agent_code_analysis_session_id_idx ON agent_code_analysis (session_id);
CREATE INDEX agent_code_analysis_file_path_created_at_idx ON agent_code_analysis (file_path, created_at DESC);
CREATE INDEX agent_code_analysis_serious_idx ON agent_code_analysis (created_at DESC)
    WHERE severity IN ('high', 'critical');
