# Shared by the benchmarks (sourced, not run).

# Builds evcat and gencat in release mode, and makes a work folder removed on exit (with the
# registry, if one was started). Sets `evcat`, `gencat` and `work`.
bench_init() {
  cd "$(dirname "$0")/.."
  work=$(mktemp -d)
  server=
  trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null; fi; rm -rf "$work"' EXIT
  cargo build --release --locked --quiet --bin evcat --example gencat
  evcat=$PWD/target/release/evcat
  gencat=$PWD/target/release/examples/gencat
}

# Starts `evcat registry serve` on loopback and adds it to the catalog in $1 as environment
# `bench`. Sets `url`.
serve_registry() {
  "$evcat" registry serve --dir "$work/registry" --listen 127.0.0.1:0 2>"$work/serve.log" &
  server=$!
  for _ in $(seq 100); do grep -q listening "$work/serve.log" 2>/dev/null && break; sleep 0.05; done
  url=$(sed -n 's/.*listening on //p' "$work/serve.log")
  printf 'environments:\n  - name: bench\n    registry: { url: "%s" }\n' "$url" >>"$1/evcat.yaml"
}

# A generated catalog of $1 events in "$work/catalog", pushed to a served registry (`bench`).
pushed_catalog() {
  "$gencat" --events "$1" --out "$work/catalog" >/dev/null
  serve_registry "$work/catalog"
  "$evcat" --catalog "$work/catalog" --quiet push --env bench >/dev/null
}
