import { spawn } from "node:child_process";
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

function runFrom(start: number, avoid: number[], report: Report): Promise<number | undefined> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ["--import", "tsx", harness, String(start), JSON.stringify(avoid)], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let current: { i: number; label: string } | undefined;
    let timer: NodeJS.Timeout | undefined;
    let buffer = "";
    let stderr = "";
    let finished = false;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        report.failures.push(`${current?.label ?? "loading the entries"}: ran past ${CALL_LIMIT_MS} ms (killed)`);
        finished = true;
        child.kill("SIGKILL");
        done(current === undefined ? undefined : current.i + 1);
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
        else if (event.t === "f") report.failures.push(`${event.label as string} [${event.kind as string}]: ${event.reason as string}`);
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
      report.failures.push(`${current?.label ?? "loading the entries"}: the process died (exit ${code}) ${stderr.slice(-500)}`);
      done(current === undefined ? undefined : current.i + 1);
    });
  });
}

/** Runs the whole suite, resuming after each hang or crash. */
export async function runSuite(): Promise<Report> {
  const report: Report = { calls: 0, perEntry: {}, classes: [], failures: [], rejectedValid: [] };
  const avoid: number[] = [];
  let start: number | undefined = 0;
  while (start !== undefined) {
    if (start > 0) avoid.push(start - 1);
    start = await runFrom(start, avoid, report);
  }
  return report;
}

