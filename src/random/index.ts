export * from "./random.js";
