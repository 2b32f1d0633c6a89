-- flipsync_app 0005: drop suppliers
DROP TABLE suppliers;
