-- agent_persistence 0004: drop the agent_learning_patterns indexes
DROP INDEX agent_learning_patterns_pattern_data_gin_idx;
DROP INDEX agent_learning_patterns_type_score_idx;
