-- flipsync_app 0012: drop order_items
DROP TABLE order_items;
