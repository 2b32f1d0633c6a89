-- cyrex 0008: riskiest vendors first (vendor search ordering); name lookup; vendors serving an industry
CREATE INDEX cyrex_vendors_risk_idx ON cyrex_vendors (current_risk_score DESC, last_activity DESC);
CREATE INDEX cyrex_vendors_vendor_name_idx ON cyrex_vendors (vendor_name);
CREATE INDEX cyrex_vendors_industries_served_gin_idx ON cyrex_vendors USING gin (industries_served jsonb_path_ops);
