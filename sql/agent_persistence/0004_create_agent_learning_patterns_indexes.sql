-- agent_persistence 0004: the most effective patterns of a type; pattern lookup by content
CREATE INDEX agent_learning_patterns_type_score_idx
    ON agent_learning_patterns (pattern_type, effectiveness_score DESC NULLS LAST);
CREATE INDEX agent_learning_patterns_pattern_data_gin_idx ON agent_learning_patterns USING gin (pattern_data jsonb_path_ops);
