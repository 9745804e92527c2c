/**
 * ONNX graphs as velocity fields (`flow-matching/onnx`): run a model trained in PyTorch
 * (Meta's `flow_matching`, torchcfm) and exported to ONNX in Node (onnxruntime-node) or a
 * browser (onnxruntime-web), through the async solvers. onnxruntime is an optional peer
 * dependency of this entry; the caller creates the session, this entry never imports it.
 *
 * @packageDocumentation
 */
export type { OnnxTensorLike, OnnxValueMetadataLike, OnnxSessionLike } from "./session.js";
export type { OnnxCondition, OnnxFieldOptions } from "./plan.js";
export type { TimeInput } from "./feeds.js";
export type { OnnxVelocityField } from "./field.js";
export { onnxVelocityField } from "./field.js";
