// @ts-check
// A separate process that commits small transactions at a set rate (WAL, busy_timeout
// 10 s), keeping an invariant a torn copy would break: counter.n = count(events). Used
// by the backup tests (is every snapshot consistent?) and the backup benchmark (how long
// does each transaction take while a backup runs?). Transactions are due on a fixed
// schedule; a writer that fell behind catches up by at most one second's worth.
//   node server/backups/testing/writer.mjs <db file> <transactions per second>
// Prints the number of transactions so far every 100. SIGUSR2 starts a new measuring
// window (forgets the latencies so far); SIGTERM ends it and prints
//   DONE <count> <p50 ms> <p99 ms> <max ms> <window seconds> <count over 50 ms>
import Database from "better-sqlite3";

const [file, perSecond = "1000"] = process.argv.slice(2);
const db = new Database(/** @type {string} */ (file));
db.pragma("journal_mode = WAL");
db.pragma("busy_timeout = 10000");
db.exec(`create table if not exists events (id integer primary key, at integer, payload text);
         create table if not exists counter (id integer primary key check (id = 1), n integer);
         insert or ignore into counter values (1, (select count(*) from events));`);
const insert = db.prepare("insert into events (at, payload) values (?, ?)");
const bump = db.prepare("update counter set n = n + 1 where id = 1");
const tx = db.transaction(() => {
  insert.run(Date.now(), "x".repeat(200));
  bump.run();
});
const budget = 1000 / Number(perSecond);
let stop = false;
let total = 0;
/** @type {number[]} */
let latencies = [];
let windowStart = performance.now();
process.on("SIGTERM", () => (stop = true));
process.on("SIGUSR2", () => {
  latencies = [];
  windowStart = performance.now();
});

/** @param {number[]} sorted @param {number} q */
const quantile = (sorted, q) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;

async function loop() {
  let due = performance.now();
  while (!stop) {
    const t = performance.now();
    tx();
    const ms = performance.now() - t;
    latencies.push(ms);
    total++;
    if (total % 100 === 0) process.stdout.write(`${total}\n`);
    due += budget;
    const now = performance.now();
    if (due < now - 1000) due = now - 1000;
    const wait = due - now;
    await new Promise((r) => (wait >= 1 ? setTimeout(r, wait) : setImmediate(r)));
  }
  const seconds = (performance.now() - windowStart) / 1000;
  const over50 = latencies.filter((ms) => ms > 50).length;
  latencies.sort((a, b) => a - b);
  process.stdout.write(
    `DONE ${latencies.length} ${quantile(latencies, 0.5)} ${quantile(latencies, 0.99)} ${latencies.at(-1) ?? 0} ${seconds} ${over50}\n`,
  );
  db.close();
  process.exit(0);
}
void loop();
