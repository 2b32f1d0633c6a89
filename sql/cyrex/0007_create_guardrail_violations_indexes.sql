-- cyrex 0007: violations of a rule, newest first; recent violations
CREATE INDEX guardrail_violations_rule_id_timestamp_idx ON guardrail_violations (rule_id, "timestamp" DESC);
CREATE INDEX guardrail_violations_timestamp_idx ON guardrail_violations ("timestamp");
