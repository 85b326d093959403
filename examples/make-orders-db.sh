#!/usr/bin/env bash
# Makes a sample SQLite database with an `orders` table: 10 days x 1,000 orders, some NULLs.
set -euo pipefail
db=${1:-examples/orders.db}
rm -f "$db"
sqlite3 "$db" <<'SQL'
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL,
  amount TEXT NOT NULL,            -- decimal(12,2) kept exact as text
  status TEXT,
  note TEXT,
  gmt_create TEXT NOT NULL         -- 'YYYY-MM-DD HH:MM:SS.ffffff'
);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
INSERT INTO orders
SELECT i,
       1000 + (i * 7919) % 500,
       printf('%d.%02d', (i * 37) % 10000, i % 100),
       CASE i % 4 WHEN 0 THEN 'paid' WHEN 1 THEN 'shipped' WHEN 2 THEN 'cancelled' ELSE NULL END,
       CASE WHEN i % 10 = 0 THEN 'gift, "wrapped"' WHEN i % 10 = 1 THEN '' ELSE NULL END,
       strftime('%Y-%m-%d %H:%M:%S', '2025-10-25', '+' || ((i - 1) / 1000) || ' days',
                '+' || ((i * 86) % 86400) || ' seconds') || printf('.%06d', (i * 997) % 1000000)
FROM n;
SQL
echo "made $db: $(sqlite3 "$db" 'select count(*) from orders') orders"
