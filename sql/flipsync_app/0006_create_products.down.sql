-- flipsync_app 0006: drop products
DROP TABLE products;
