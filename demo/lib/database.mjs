// @ts-check
import Database from "better-sqlite3";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS devices (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind IN ('ios', 'watchos')),
    created_at TEXT NOT NULL
  );
  -- Stored with device_a < device_b so one row (and one unique key) covers both directions.
  CREATE TABLE IF NOT EXISTS pairings (
    id INTEGER PRIMARY KEY,
    device_a INTEGER NOT NULL REFERENCES devices(id),
    device_b INTEGER NOT NULL REFERENCES devices(id),
    paired_at TEXT NOT NULL,
    UNIQUE (device_a, device_b),
    CHECK (device_a < device_b)
  );
  CREATE TABLE IF NOT EXISTS taps (
    id INTEGER PRIMARY KEY,
    from_device INTEGER NOT NULL REFERENCES devices(id),
    to_device INTEGER NOT NULL REFERENCES devices(id),
    sent_at TEXT NOT NULL,
    delivered_at TEXT
  );
  -- Keeps the delivery sweep cheap however many delivered taps pile up.
  CREATE INDEX IF NOT EXISTS taps_undelivered ON taps (sent_at) WHERE delivered_at IS NULL;
`;

const SEED_USERS = 400;
const SEED_WATCH_SHARE = 0.6;
const SEED_PAIRINGS = 250;

/**
 * @typedef {object} NaviDatabase
 * @property {() => void} ping Throws when the database cannot answer a query.
 * @property {(id: number) => boolean} deviceExists
 * @property {(a: number, b: number) => boolean} arePaired
 * @property {(a: number, b: number) => number} insertPairing Returns the new pairing id.
 * @property {(from: number, to: number) => { id: number, sentAt: string }} insertTap
 * @property {(sentBefore: string) => number} markDelivered Returns how many taps it delivered.
 * @property {() => number} countUsers
 * @property {() => [number, number] | undefined} randomPairing
 * @property {() => [number, number]} randomDevices Two distinct existing device ids.
 * @property {() => number} sizeBytes
 * @property {() => void} close
 */

/**
 * Opens (creating and seeding on first use) the Navi database at `file`.
 * @param {string} file
 * @returns {NaviDatabase}
 */
export function openNaviDatabase(file) {
  const db = new Database(file);
  // WAL lets Opsdeck's online backups read the file while the service keeps writing.
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  db.exec(SCHEMA);
  seedIfEmpty(db);

  const statements = {
    deviceExists: db.prepare("SELECT 1 FROM devices WHERE id = ?").pluck(),
    pairing: db.prepare("SELECT 1 FROM pairings WHERE device_a = ? AND device_b = ?").pluck(),
    insertPairing: db.prepare(
      "INSERT INTO pairings (device_a, device_b, paired_at) VALUES (?, ?, ?)",
    ),
    insertTap: db.prepare("INSERT INTO taps (from_device, to_device, sent_at) VALUES (?, ?, ?)"),
    markDelivered: db.prepare(
      "UPDATE taps SET delivered_at = ? WHERE delivered_at IS NULL AND sent_at <= ?",
    ),
    countUsers: db.prepare("SELECT count(*) FROM users").pluck(),
    maxPairingId: db.prepare("SELECT coalesce(max(id), 0) FROM pairings").pluck(),
    // Ids never get deleted, so "first id at or after a random point" is a cheap random row.
    pairingFrom: db
      .prepare("SELECT device_a, device_b FROM pairings WHERE id >= ? ORDER BY id LIMIT 1")
      .raw(),
    maxDeviceId: db.prepare("SELECT coalesce(max(id), 0) FROM devices").pluck(),
    deviceFrom: db.prepare("SELECT id FROM devices WHERE id >= ? ORDER BY id LIMIT 1").pluck(),
    ping: db.prepare("SELECT 1").pluck(),
  };

  /** @param {import("better-sqlite3").Statement} maxId @param {import("better-sqlite3").Statement} rowFrom */
  function randomRow(maxId, rowFrom) {
    const max = /** @type {number} */ (maxId.get());
    return max === 0 ? undefined : rowFrom.get(1 + Math.floor(Math.random() * max));
  }

  /** @returns {number} */
  function randomDevice() {
    return /** @type {number} */ (randomRow(statements.maxDeviceId, statements.deviceFrom));
  }

  return {
    ping: () => statements.ping.get(),
    deviceExists: (id) => statements.deviceExists.get(id) !== undefined,
    arePaired: (a, b) => statements.pairing.get(Math.min(a, b), Math.max(a, b)) !== undefined,
    insertPairing: (a, b) =>
      Number(
        statements.insertPairing.run(Math.min(a, b), Math.max(a, b), new Date().toISOString())
          .lastInsertRowid,
      ),
    insertTap: (from, to) => {
      const sentAt = new Date().toISOString();
      const { lastInsertRowid } = statements.insertTap.run(from, to, sentAt);
      return { id: Number(lastInsertRowid), sentAt };
    },
    markDelivered: (sentBefore) =>
      statements.markDelivered.run(new Date().toISOString(), sentBefore).changes,
    countUsers: () => /** @type {number} */ (statements.countUsers.get()),
    randomPairing: () =>
      /** @type {[number, number] | undefined} */ (
        randomRow(statements.maxPairingId, statements.pairingFrom)
      ),
    randomDevices: () => {
      const a = randomDevice();
      let b = randomDevice();
      while (b === a) b = randomDevice();
      return [a, b];
    },
    sizeBytes: () =>
      /** @type {number} */ (db.pragma("page_count", { simple: true })) *
      /** @type {number} */ (db.pragma("page_size", { simple: true })),
    close: () => db.close(),
  };
}

/**
 * A few hundred users, each with an iPhone and most with a Watch, and some pairings
 * between them, so the API and the traffic generator have something to work with.
 * @param {import("better-sqlite3").Database} db
 */
function seedIfEmpty(db) {
  if (db.prepare("SELECT count(*) FROM users").pluck().get() !== 0) return;
  const now = new Date().toISOString();
  const insertUser = db.prepare("INSERT INTO users (name, created_at) VALUES (?, ?)");
  const insertDevice = db.prepare(
    "INSERT INTO devices (user_id, kind, created_at) VALUES (?, ?, ?)",
  );
  const insertPairing = db.prepare(
    "INSERT OR IGNORE INTO pairings (device_a, device_b, paired_at) VALUES (?, ?, ?)",
  );

  db.transaction(() => {
    /** @type {number[]} */
    const devices = [];
    for (let i = 1; i <= SEED_USERS; i++) {
      const userId = insertUser.run(`user${i}`, now).lastInsertRowid;
      devices.push(Number(insertDevice.run(userId, "ios", now).lastInsertRowid));
      if (Math.random() < SEED_WATCH_SHARE) {
        devices.push(Number(insertDevice.run(userId, "watchos", now).lastInsertRowid));
      }
    }
    for (let i = 0; i < SEED_PAIRINGS; i++) {
      const a = pick(devices);
      const b = pick(devices);
      if (a !== b) insertPairing.run(Math.min(a, b), Math.max(a, b), now);
    }
  })();
}

/**
 * @template T
 * @param {T[]} items
 * @returns {T}
 */
function pick(items) {
  return /** @type {T} */ (items[Math.floor(Math.random() * items.length)]);
}
