import "server-only";

// metrics.db's schema, one entry per version (PRAGMA user_version counts them). Not a
// drizzle schema: every statement on this database is a prepared one on the write or
// read path, and its tables are a handful of keyed blobs (ADR 19). Never edit an entry
// that has shipped; add one.
export const METRICS_MIGRATIONS: readonly string[] = [
  `
  -- A series is stored once: the metric name and its sorted labels. AUTOINCREMENT so a
  -- deleted series' id is never given to another (readers cache labels by id).
  CREATE TABLE series (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    -- JSON of the [name, value] pairs sorted by name, __name__ included: the identity.
    key TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
  );
  -- Label name and value -> series, for the = != =~ !~ matchers without a scan.
  CREATE TABLE postings (
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    series_id INTEGER NOT NULL,
    PRIMARY KEY (name, value, series_id)
  ) WITHOUT ROWID;
  -- The open chunk of each series, rewritten as samples arrive.
  CREATE TABLE head (
    series_id INTEGER PRIMARY KEY,
    first_t INTEGER NOT NULL,
    last_t INTEGER NOT NULL,
    count INTEGER NOT NULL,
    data BLOB NOT NULL
  );
  -- Closed chunks: at most 120 samples and less than two hours each.
  CREATE TABLE chunks (
    series_id INTEGER NOT NULL,
    first_t INTEGER NOT NULL,
    last_t INTEGER NOT NULL,
    count INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (series_id, first_t)
  ) WITHOUT ROWID;
  -- Pushed bodies, decoded and checked, waiting for the writer (durable before the 204).
  CREATE TABLE inbox (
    id INTEGER PRIMARY KEY,
    received_at INTEGER NOT NULL,
    source TEXT NOT NULL,
    samples INTEGER NOT NULL,
    body BLOB NOT NULL
  );
  -- HELP, TYPE and UNIT per metric family, for /api/v1/metadata and the query box.
  CREATE TABLE metadata (
    name TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    help TEXT NOT NULL,
    unit TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  -- The last scrape of each target instance, for the Targets page.
  CREATE TABLE targets (
    job TEXT NOT NULL,
    instance TEXT NOT NULL,
    url TEXT NOT NULL,
    health TEXT NOT NULL,
    last_scrape_at INTEGER,
    duration_ms REAL,
    samples INTEGER,
    last_error TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (job, instance)
  ) WITHOUT ROWID;
  `,
  `
  -- Downsampled points (lib/metrics/rollup-chunk.ts): step is 300000 (5 minutes) or
  -- 3600000 (an hour); a row holds at most 120 points spanning less than 120 steps, the
  -- newest row of a series and step is appended to until then.
  CREATE TABLE rollups (
    series_id INTEGER NOT NULL,
    step INTEGER NOT NULL,
    first_t INTEGER NOT NULL,
    last_t INTEGER NOT NULL,
    count INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (series_id, step, first_t)
  ) WITHOUT ROWID;
  -- The rollup's and retention's progress (server/tsdb/rollup.ts names the keys).
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  -- Closed chunks of finished two-hour blocks, merged per series (server/tsdb/compact.ts):
  -- data is the block's chunks in time order, each after its length (lib/metrics/
  -- chunk-list.ts), a few KiB at most a row. Keyed by block first, so a block's rows are
  -- appended at the end of the b-tree and fill its pages; the closed chunks they were
  -- made of are deleted from chunks in the same transaction.
  CREATE TABLE blocks (
    block INTEGER NOT NULL,
    series_id INTEGER NOT NULL,
    first_t INTEGER NOT NULL,
    last_t INTEGER NOT NULL,
    count INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (block, series_id, first_t)
  ) WITHOUT ROWID;
  `,
];
