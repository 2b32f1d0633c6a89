-- cyrex 0008: drop the cyrex_vendors indexes
DROP INDEX cyrex_vendors_industries_served_gin_idx;
DROP INDEX cyrex_vendors_vendor_name_idx;
DROP INDEX cyrex_vendors_risk_idx;
