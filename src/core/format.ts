/**
 * Formats a value for an error message: numbers as JavaScript prints them (NaN, Infinity,
 * -0 kept visible), arrays by their first entries, shapes as `[n, d]`.
 *
 * @param value - anything that was passed to a function
 * @returns a short human-readable description
 * @example
 * ```ts
 * describeValue(-0) // => "-0"
 * describeValue([1, 2, 3]) // => "[1, 2, 3]"
 * ```
 * @category Errors
 */
export function describeValue(value: unknown): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    // only the first entries are read: a sparse array of length 2^30 is described at once
    const list = value as ArrayLike<unknown>;
    const head: string[] = [];
    for (let i = 0; i < Math.min(list.length, 6); i++) head.push(describeValue(list[i]));
    return `[${head.join(", ")}${list.length > 6 ? `, ... (${list.length} entries)` : ""}]`;
  }
  if (typeof value === "object" && "shape" in (value as object)) {
    const shape = (value as { shape: unknown }).shape;
    return `an ndarray of shape ${Array.isArray(shape) ? describeShape(shape) : describeValue(shape)}`;
  }
  if (typeof value === "function") return "a function";
  return typeof value === "object" ? "an object" : String(value);
}

/**
 * Formats an array shape as `[a, b]`.
 *
 * @example
 * ```ts
 * describeShape([128, 3]) // => "[128, 3]"
 * ```
 * @category Errors
 */
export function describeShape(shape: readonly number[]): string {
  return shape.length > 8 ? `[${shape.slice(0, 8).join(", ")}, ... (${shape.length} dimensions)]` : `[${shape.join(", ")}]`;
}
