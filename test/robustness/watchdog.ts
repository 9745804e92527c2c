import { spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import { resolve } from "node:path";

// Every export of every entry of package.json "exports" (., ./gpu, ./testing, and any entry
// added later), and every method of what a valid call returns, is called with valid arguments
// and with malformed ones (the classes in malformed.ts). The calls run in a child process
// (harness.ts); this watchdog kills it when one call runs past 2 s, records the hang and
// resumes after that call, so a hang fails the test instead of the run.
const root = resolve(import.meta.dirname, "../..");
const harness = resolve(import.meta.dirname, "harness.ts");
const CALL_LIMIT_MS = 2000;

/** What the watchdog saw. */
export interface Report {
  calls: number;
  perEntry: Record<string, number>;
  classes: string[];
  failures: string[];
  /** Calls with the template's valid arguments that were rejected (their templates need care). */
  rejectedValid: string[];
}

/** Where a child stopped: undefined when it finished, else the call it was killed or died in. */
type Stop = { at: number; reason: string } | undefined;

function runFrom(start: number, avoid: number[], report: Report, env: Record<string, string>): Promise<Stop | "load"> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ["--import", "tsx", harness, String(start), JSON.stringify(avoid)], { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let current: { i: number; label: string } | undefined;
    let timer: NodeJS.Timeout | undefined;
    let buffer = "";
    let stderr = "";
    let finished = false;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        finished = true;
        child.kill("SIGKILL");
        if (current === undefined) {
          report.failures.push("loading the entries: ran past 60 s (killed)");
          done("load");
        } else done({ at: current.i, reason: `${current.label}: ran past ${CALL_LIMIT_MS} ms (killed, twice)` });
      }, current === undefined ? 60_000 : CALL_LIMIT_MS);
    };
    arm();
    child.stderr.on("data", (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!line.startsWith("{")) continue;
        const event = JSON.parse(line) as Record<string, unknown>;
        if (event.t === "s") { current = { i: event.i as number, label: `${event.label as string} [${event.kind as string}]` }; arm(); }
        else if (event.t === "e") { clearTimeout(timer); }
        else if (event.t === "f") {
          report.failures.push(`${event.label as string} [${event.kind as string}]: ${event.reason as string}`);
          if (process.env.ROBUSTNESS_LOG) appendFileSync(process.env.ROBUSTNESS_LOG, `${report.failures[report.failures.length - 1] as string}\n`);
        }
        else if (event.t === "done") { report.calls = event.calls as number; report.perEntry = event.perEntry as Record<string, number>; report.classes = event.classes as string[]; }
        else if (event.t === "v") report.rejectedValid.push(`${event.label as string}: ${event.reason as string}`);
        else if (event.t === "crash") report.failures.push(`harness crashed: ${event.reason as string}`);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (finished) return;
      finished = true;
      if (report.calls > 0) return done(undefined);
      if (current === undefined) {
        report.failures.push(`loading the entries: the process died (exit ${code}) ${stderr.slice(-500)}`);
        return done("load");
      }
      done({ at: current.i, reason: `${current.label}: the process died (exit ${code}, twice) ${stderr.slice(-500)}` });
    });
  });
}

/**
 * Runs the whole suite, resuming after each hang or crash. A call that runs past the limit (or
 * kills its process) is tried once more in a fresh process before it counts as a failure, so
 * a machine busy with other work does not turn a slow call into a reported hang.
 */
export async function runSuite(env: Record<string, string> = {}): Promise<Report> {
  const report: Report = { calls: 0, perEntry: {}, classes: [], failures: [], rejectedValid: [] };
  const avoid: number[] = [];
  const retried = new Set<number>();
  let start = 0;
  for (;;) {
    const stop = await runFrom(start, avoid, report, env);
    if (stop === undefined || stop === "load") return report;
    if (!retried.has(stop.at)) {
      retried.add(stop.at);
      start = stop.at;
      continue;
    }
    report.failures.push(stop.reason);
    if (process.env.ROBUSTNESS_LOG) appendFileSync(process.env.ROBUSTNESS_LOG, `${stop.reason}\n`);
    avoid.push(stop.at);
    start = stop.at + 1;
  }
}
