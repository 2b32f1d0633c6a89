-- flipsync_app 0009: drop the inventory indexes
DROP INDEX inventory_low_stock_idx;
