import { describe, expect, it } from "vitest";
import { formatFloatFixed, otlpLabelName, otlpMetricName, type OtlpMetricType } from "./otlp-names";

describe("otlpMetricName", () => {
  it.each<[string, string, OtlpMetricType, string]>([
    ["http.server.request.duration", "s", "histogram", "http_server_request_duration_seconds"],
    ["http.server.duration", "ms", "histogram", "http_server_duration_milliseconds"],
    ["rpc.latency", "us", "summary", "rpc_latency_microseconds"],
    ["memory.usage", "By", "gauge", "memory_usage_bytes"],
    ["disk.size", "GiBy", "gauge", "disk_size_gibibytes"],
    ["net.io", "By/s", "gauge", "net_io_bytes_per_second"],
    ["requests", "1/s", "gauge", "requests_per_second"],
    ["uptime", "d", "gauge", "uptime_days"],
    ["temperature", "Cel", "gauge", "temperature_celsius"],
    ["cpu.utilization", "1", "gauge", "cpu_utilization_ratio"],
    ["cpu_usage_ratio", "1", "gauge", "cpu_usage_ratio"],
    ["battery", "%", "gauge", "battery_percent"],
    // Counters get _total, wherever "total" stood; unit "1" adds nothing to them.
    ["http.requests", "1", "counter", "http_requests_total"],
    ["requests_total", "", "counter", "requests_total"],
    ["total.requests", "", "counter", "requests_total"],
    // A unit word already in the name is not added again, wherever it stands.
    ["bytes.sent", "By", "counter", "bytes_sent_total"],
    ["sent", "By", "nonMonotonicSum", "sent_bytes"],
    ["queue.depth", "{items}", "nonMonotonicSum", "queue_depth"],
    ["queue.depth", "1", "nonMonotonicSum", "queue_depth"],
    // Units in braces are annotations; unknown units are kept, cleaned.
    ["custom_metric", "{custom}", "gauge", "custom_metric"],
    ["custom_metric", "By/{custom}", "gauge", "custom_metric_bytes"],
    ["custom_metric", "custom_unit", "gauge", "custom_metric_custom_unit"],
    ["flow", "m3/h", "gauge", "flow_m3_per_hour"],
    ["weird", "a..b/c", "gauge", "weird_a_b_per_c"],
    ["response_time_seconds", "s", "histogram", "response_time_seconds"],
    // Invalid characters split the name; runs of them (and of _) become one _.
    ["metric@with#special$chars", "", "gauge", "metric_with_special_chars"],
    ["metric@@##$$name", "", "gauge", "metric_name"],
    ["a__b", "", "gauge", "a_b"],
    ["_leading.and.trailing_", "", "gauge", "leading_and_trailing"],
    ["ns:sub.metric", "", "gauge", "ns:sub_metric"],
    ["über.zähler", "", "gauge", "ber_z_hler"],
    ["123metric", "", "gauge", "_123metric"],
  ])("%s [%s] (%s) → %s", (name, unit, type, want) => {
    expect(otlpMetricName(name, unit, type)).toBe(want);
  });

  it("refuses names with nothing valid in them", () => {
    expect(() => otlpMetricName("", "", "gauge")).toThrow(
      `metric name "" leaves nothing once made valid`,
    );
    expect(() => otlpMetricName("@_#_$_%", "", "gauge")).toThrow(
      `metric name "@_#_$_%" leaves nothing once made valid`,
    );
  });
});

describe("otlpLabelName", () => {
  it.each([
    ["http.method", "http_method"],
    ["http.status_code", "http_status_code"],
    ["k8s.pod.name", "k8s_pod_name"],
    ["a..b", "a__b"],
    ["123invalid", "key_123invalid"],
    ["_private", "key_private"],
    ["__reserved__", "__reserved__"],
    ["__x", "__x"],
    ["ключ.x", "_____x"],
    ["😀x", "key_x"],
  ])("%s → %s", (key, want) => {
    expect(otlpLabelName(key)).toBe(want);
  });

  it("refuses empty keys and keys that leave only underscores", () => {
    expect(() => otlpLabelName("")).toThrow("an attribute has an empty key");
    expect(() => otlpLabelName("..")).toThrow(
      `attribute key ".." leaves only underscores once made a label name`,
    );
    expect(() => otlpLabelName("__")).toThrow(`attribute key "__" leaves only underscores`);
    expect(() => otlpLabelName("ключ")).toThrow(`attribute key "ключ" leaves only underscores`);
  });
});

describe("formatFloatFixed (Go's strconv.FormatFloat(x, 'f', -1, 64))", () => {
  it.each([
    [0, "0"],
    [-0, "-0"],
    [0.005, "0.005"],
    [2.5, "2.5"],
    [1000, "1000"],
    [1e-7, "0.0000001"],
    [1.5e-7, "0.00000015"],
    [-2.5e-10, "-0.00000000025"],
    [1e21, "1000000000000000000000"],
    [1.2345e25, "12345000000000000000000000"],
    [0.1 + 0.2, "0.30000000000000004"],
    [5e-324, `0.${"0".repeat(323)}5`],
    [Infinity, "+Inf"],
    [-Infinity, "-Inf"],
    [NaN, "NaN"],
  ])("%d → %s", (x, want) => {
    expect(formatFloatFixed(x)).toBe(want);
  });
});
