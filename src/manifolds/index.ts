export * from "./manifold.js";
export * from "./euclidean.js";
export * from "./sphere.js";
export * from "./torus.js";
export * from "./product.js";
export * from "./geodesic-path.js";
export * from "./riemannian-solver.js";
