/**
 * flow-matching/tfjs: TensorFlow.js models as velocity fields (sampling, likelihoods) and
 * their training with the library's paths, couplings and Bregman losses. Needs
 * `@tensorflow/tfjs-core` (an optional peer) and a backend: `@tensorflow/tfjs-backend-cpu`,
 * `-wasm`, `-webgl`, `-webgpu`, or `@tensorflow/tfjs-node`.
 *
 * @packageDocumentation
 */
export { tfVelocityField } from "./field.js";
export type { TfFieldOptions, TfVelocityField } from "./field.js";
export { tfConditionedVelocityField } from "./conditioned-field.js";
export type { TfConditionedFieldOptions, TfConditionedVelocityField } from "./conditioned-field.js";
export type { TfInferenceModel, TfModel, TfModelFunction } from "./model.js";
export { tfBregman, tfCfmLoss } from "./divergences.js";
export type { TfBregmanDivergence } from "./divergences.js";
export { trainTf } from "./train.js";
export type { TfStepInfo, TfTrainOptions, TfTrainResult } from "./train.js";
export type { TfEma } from "./ema.js";
