/**
 * log: a tiny structured logger writing one JSON object per line.
 *
 * Lines carry `time`, `level`, `component`, `msg`, the active trace/span ids when a span is
 * recording, and any fields. An `err` field is expanded to `{ name, message, cause, stack }`.
 *
 * @example
 * ```ts
 * const log = logger("scheduler");
 * log.warn("bind conflict", { pod: "default/web-1", err });
 * ```
 */
import { trace } from "@opentelemetry/api";

/** Log levels, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** One log record as written. */
export interface LogRecord {
  time: string;
  level: Exclude<LogLevel, "silent">;
  component: string;
  msg: string;
  [field: string]: unknown;
}

/** Where log records go (default: JSON line on stderr). */
export type LogSink = (rec: LogRecord) => void;

/** Logger: leveled structured logging for one component. */
export interface Logger {
  readonly component: string;
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger for a sub-component whose records also carry `fields`. */
  child(component: string, fields?: Record<string, unknown>): Logger;
}

const stderrSink: LogSink = (rec) => {
  process.stderr.write(JSON.stringify(rec) + "\n");
};

let globalLevel: LogLevel = parseLevel(process.env.LOG_LEVEL) ?? "info";
let globalSink: LogSink = stderrSink;

/** parseLevel: a LogLevel from a string (case-insensitive), or undefined. */
export function parseLevel(s: string | undefined): LogLevel | undefined {
  const v = s?.trim().toLowerCase();
  return v && v in ORDER ? (v as LogLevel) : undefined;
}

/** setLogLevel sets the process-wide level (default from LOG_LEVEL, else "info"). */
export function setLogLevel(level: LogLevel): void {
  globalLevel = level;
}

/** setLogSink replaces the process-wide sink (tests, the launcher); returns the previous one. */
export function setLogSink(sink: LogSink): LogSink {
  const prev = globalSink;
  globalSink = sink;
  return prev;
}

/** serializeError: a JSON-safe view of an error with its name, message and cause chain. */
export function serializeError(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error)) return err === undefined ? undefined : String(err);
  const out: Record<string, unknown> = { name: err.name, message: err.message };
  for (const [k, v] of Object.entries(err)) {
    if (k !== "cause" && (typeof v === "string" || typeof v === "number" || typeof v === "boolean")) out[k] = v;
  }
  if (err.cause !== undefined && depth < 5) out.cause = serializeError(err.cause, depth + 1);
  if (depth === 0 && err.stack) out.stack = err.stack.split("\n").slice(1, 6).map((l) => l.trim());
  return out;
}

interface LoggerOptions {
  fields?: Record<string, unknown>;
  sink?: LogSink;
  level?: LogLevel;
}

/** logger returns a Logger for `component`; `opts.sink`/`opts.level` override the process-wide ones. */
export function logger(component: string, opts: LoggerOptions = {}): Logger {
  const base = opts.fields ?? {};
  const write = (level: Exclude<LogLevel, "silent">, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < ORDER[opts.level ?? globalLevel]) return;
    const rec: LogRecord = { time: new Date().toISOString(), level, component, msg, ...base };
    const span = trace.getActiveSpan()?.spanContext();
    if (span && span.traceId !== "00000000000000000000000000000000") {
      rec.traceId = span.traceId;
      rec.spanId = span.spanId;
    }
    if (fields) {
      for (const [k, v] of Object.entries(fields)) rec[k] = v instanceof Error ? serializeError(v) : v;
    }
    try {
      (opts.sink ?? globalSink)(rec);
    } catch {
      // A broken sink must never take the process down.
    }
  };
  return {
    component,
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    child: (sub, fields) => logger(`${component}.${sub}`, { ...opts, fields: { ...base, ...fields } }),
  };
}
