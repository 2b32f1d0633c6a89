-- flipsync_app 0010: drop orders
DROP TABLE orders;
