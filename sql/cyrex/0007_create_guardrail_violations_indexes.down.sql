-- cyrex 0007: drop the guardrail_violations indexes
DROP INDEX guardrail_violations_timestamp_idx;
DROP INDEX guardrail_violations_rule_id_timestamp_idx;
