/*
 * How the docs test writes what a code block prints, and how it compares that with the
 * block's `// prints: <text>` comments. Values are written the way the guides show them:
 * arrays and typed arrays as [1, 2], plain objects as { a: 1 }, strings bare at the top level
 * and quoted inside arrays and objects, numbers as JavaScript prints them.
 */

/** Writes the arguments of one console call as one text (space-separated, like console.log). */
export function formatLogLine(args: readonly unknown[]): string {
  return args.map((a) => (typeof a === "string" ? a : show(a, 0))).join(" ");
}

function show(value: unknown, depth: number): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (value === null || typeof value !== "object") return String(value);
  if (depth > 4) return "[...]";
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    return `[${Array.from(value as ArrayLike<unknown>, (v) => show(v, depth + 1)).join(", ")}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  return entries.length ? `{ ${entries.map(([k, v]) => `${k}: ${show(v, depth + 1)}`).join(", ")} }` : "{}";
}

/** The `// prints: <text>` comments of a code block, with their 0-based line in the block. */
export function expectedOutputs(code: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  code.split("\n").forEach((l, line) => {
    const m = /\/\/ prints: (.*)$/.exec(l);
    if (m) out.push({ text: (m[1] as string).trim(), line });
  });
  return out;
}

/** Whether a printed line matches an expected text: whitespace runs are equal, `...` matches anything. */
export function matchesExpected(printed: string, expected: string): boolean {
  const squash = (s: string) => s.trim().replace(/\s+/g, " ");
  const pattern = squash(expected).split("...").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*");
  return new RegExp(`^${pattern}$`).test(squash(printed));
}
