#!/usr/bin/env bash
# Sets up, builds, makes the sample SQLite database and runs the sample job: one business day
# of `orders` from SQLite into a CSV file.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
bash examples/make-orders-db.sh examples/orders.db
rm -rf examples/out
build/ferry run examples/orders_to_csv.json --bizdate 20251031 --progress-interval 0 \
  --run-dir "examples/out/run-$(date +%Y%m%d%H%M%S)"
echo
echo "== first lines of examples/out/orders_20251031.csv =="
head -n 5 examples/out/orders_20251031.csv
