import "server-only";

// OTLP/HTTP answers: ExportMetricsServiceResponse on success (with partial_success when
// points were rejected), google.rpc.Status on failure, in the request's encoding.

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

function field(no: number, wire: 0 | 2, payload: number[]): number[] {
  const key = varint(no * 8 + wire);
  return wire === 0 ? [...key, ...payload] : [...key, ...varint(payload.length), ...payload];
}

const utf8 = (s: string) => [...new TextEncoder().encode(s)];

export function otlpResponse(
  format: "protobuf" | "json",
  status: number,
  answer: { rejected?: number; message?: string },
): Response {
  const headers = {
    "content-type": format === "json" ? "application/json" : "application/x-protobuf",
    "cache-control": "no-store",
  };
  const message = answer.message ?? "";
  if (status !== 200) {
    // google.rpc.Status { int32 code = 1; string message = 2; }; 3 is INVALID_ARGUMENT.
    const code = 3;
    const body =
      format === "json"
        ? JSON.stringify({ code, message })
        : Uint8Array.from([...field(1, 0, varint(code)), ...field(2, 2, utf8(message))]);
    return new Response(body, { status, headers });
  }
  const rejected = answer.rejected ?? 0;
  const partial = rejected > 0 || message !== "";
  if (format === "json")
    return new Response(
      JSON.stringify(
        partial
          ? { partialSuccess: { rejectedDataPoints: String(rejected), errorMessage: message } }
          : {},
      ),
      { status, headers },
    );
  // ExportMetricsServiceResponse { ExportMetricsPartialSuccess partial_success = 1; }
  // ExportMetricsPartialSuccess { int64 rejected_data_points = 1; string error_message = 2; }
  const inner = [
    ...(rejected > 0 ? field(1, 0, varint(rejected)) : []),
    ...(message ? field(2, 2, utf8(message)) : []),
  ];
  return new Response(Uint8Array.from(partial ? field(1, 2, inner) : []), { status, headers });
}
