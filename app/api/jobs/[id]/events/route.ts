// GET /api/jobs/{id}/events — server-sent events: the job's status, progress and new log lines until it ends
import { canSeeJobLog, isFinished } from "@/lib/job-view";
import { idParams } from "@/lib/schemas/common";
import { apiRoute, HttpError } from "@/server/http/route";
import { openStream, sessionKey } from "@/server/http/stream-limits";
import { getJob, jobLogsAfter, toJobLogView, toJobView } from "@/server/queries/jobs";

export const dynamic = "force-dynamic";

const POLL_MS = 250;
const KEEPALIVE_MS = 15_000;

export const GET = apiRoute({
  name: "jobs.events",
  auth: "viewer",
  params: idParams,
  handler: ({ db, params, req, user }) => {
    const found = getJob(db, params.id);
    if (!found) throw new HttpError(404, `No job ${params.id}.`);
    // Viewers follow deploy and backup jobs without their log lines (command output).
    const withLog = canSeeJobLog(user!.role, found.kind);
    const slot = openStream(sessionKey(req, `user:${user!.id}`));
    if ("refused" in slot)
      throw new HttpError(429, slot.refused, undefined, { "retry-after": "10" });
    const encoder = new TextEncoder();
    // Resume after the last log line the browser saw (EventSource sends it on reconnect).
    let lastLogId = Number(req.headers.get("last-event-id")) || 0;
    let lastState = "";
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastSent = Date.now();

    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        const send = (event: string, data: unknown, id?: number) => {
          controller.enqueue(
            encoder.encode(
              `${id ? `id: ${id}\n` : ""}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`,
            ),
          );
          lastSent = Date.now();
        };
        const tick = () => {
          try {
            const job = getJob(db, params.id);
            if (!job) return end();
            for (const line of withLog ? jobLogsAfter(db, job.id, lastLogId) : []) {
              send("log", toJobLogView(line), line.id);
              lastLogId = line.id;
            }
            const view = toJobView(job);
            const state = JSON.stringify(view);
            if (state !== lastState) {
              send("job", view);
              lastState = state;
            }
            if (isFinished(view.status)) {
              send("end", { status: view.status });
              return end();
            }
            if (Date.now() - lastSent > KEEPALIVE_MS) {
              controller.enqueue(encoder.encode(": keepalive\n\n"));
              lastSent = Date.now();
            }
            timer = setTimeout(tick, POLL_MS);
          } catch (err) {
            slot.release();
            controller.error(err);
          }
        };
        const end = () => {
          slot.release();
          controller.close();
        };
        controller.enqueue(encoder.encode("retry: 2000\n\n"));
        tick();
      },
      cancel() {
        clearTimeout(timer);
        slot.release();
      },
    });
    req.signal.addEventListener("abort", () => {
      clearTimeout(timer);
      slot.release();
    });
    return new Response(stream, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      },
    });
  },
});
