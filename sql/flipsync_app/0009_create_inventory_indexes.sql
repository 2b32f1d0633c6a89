-- flipsync_app 0009: low-stock report per warehouse (rows at or below their reorder level)
CREATE INDEX inventory_low_stock_idx ON inventory (warehouse) WHERE quantity <= reorder_level;
