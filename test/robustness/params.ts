/**
 * Parameter names of a function or class constructor, read from its source text (our build
 * keeps names). A destructured parameter is named "options"; a rest parameter keeps its name.
 */
export function parameterNames(f: Function): string[] {
  let src = Function.prototype.toString.call(f);
  if (/^class\b/.test(src)) {
    const at = findConstructor(src);
    if (at < 0) return [];
    src = src.slice(at);
  }
  const open = src.indexOf("(");
  const arrow = src.indexOf("=>");
  if (arrow >= 0 && (open < 0 || arrow < open)) {
    // a single unparenthesised arrow parameter: x => ...
    const name = src.slice(0, arrow).replace(/^async\s+/, "").trim();
    return name === "" ? [] : [name];
  }
  if (open < 0) return [];
  const list = splitTopLevel(src, open + 1);
  return list.map((p) => {
    const t = p.trim();
    if (t.startsWith("{") || t.startsWith("[")) return "options";
    return t.replace(/^\.\.\./, "").split(/[=\s:]/)[0] as string;
  }).filter((p) => p !== "");
}

/** Index of the class's own `constructor(` (not one in a nested body). */
function findConstructor(src: string): number {
  let depth = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === "{") depth++;
    else if (c === "}") depth--;
    else if (depth === 1 && src.startsWith("constructor(", i) && !/[\w$]/.test(src[i - 1] ?? "")) return i;
  }
  return -1;
}

/** Splits the parameter list starting at `from` (just after "(") at top-level commas, up to the matching ")". */
function splitTopLevel(src: string, from: number): string[] {
  const out: string[] = [];
  let depth = 0, start = from, quote = "";
  for (let i = from; i < src.length; i++) {
    const c = src[i] as string;
    if (quote !== "") { if (c === quote && src[i - 1] !== "\\") quote = ""; continue; }
    if (c === '"' || c === "'" || c === "`") { quote = c; continue; }
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      if (depth === 0) { out.push(src.slice(start, i)); return out.filter((s) => s.trim() !== ""); }
      depth--;
    } else if (c === "," && depth === 0) { out.push(src.slice(start, i)); start = i + 1; }
  }
  return out;
}
