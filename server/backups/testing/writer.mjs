// @ts-check
// A separate process that commits small transactions as fast as it can (about 1,000 a
// second here), keeping an invariant a torn copy would break: counter.n = count(events).
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
process.on("SIGTERM", () => (stop = true));
const latencies = [];
async function loop() {
  while (!stop) {
    const t = performance.now();
    tx();
    const ms = performance.now() - t;
    latencies.push(ms);
    if (latencies.length % 100 === 0) process.stdout.write(`${latencies.length}\n`);
    const wait = budget - ms;
    await new Promise((r) => setTimeout(r, wait > 1 ? wait : 0));
  }
  latencies.sort((a, b) => a - b);
  process.stdout.write(
    `DONE ${latencies.length} ${latencies[Math.floor(latencies.length * 0.99)] ?? 0}\n`,
  );
  db.close();
  process.exit(0);
}
void loop();
