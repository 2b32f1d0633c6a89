-- flipsync_app 0003: drop categories
DROP TABLE categories;
