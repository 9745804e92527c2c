import * as tf from "@tensorflow/tfjs-core";

/**
 * The exponential moving average of a model's weights kept by {@link trainTf}:
 * shadow <- decay shadow + (1 - decay) w after every step, as the core's `ParameterEma`.
 * The shadows are tf variables on the backend; `dispose()` frees them.
 *
 * @category TensorFlow.js
 */
export interface TfEma {
  /** The decay in [0, 1). */
  readonly decay: number;
  /** The averaged weights, one per trained variable, in the order of the trained variables. */
  readonly shadows: readonly tf.Variable[];
  /** Writes the averaged weights into the model's variables (the raw weights are overwritten). */
  apply(): void;
  /** Frees the shadows. */
  dispose(): void;
}

/** @internal A TfEma with the update the training loop calls. */
export interface TfEmaState extends TfEma {
  update(): void;
}

/** @internal Shadows start at the current weights. */
export function createEma(variables: readonly tf.Variable[], decay: number): TfEmaState {
  // the clone is disposed by the tidy; the variable keeps its data
  const shadows = variables.map((v) => tf.tidy(() => tf.variable(v.clone(), false)));
  return {
    decay,
    shadows,
    update() {
      tf.tidy(() => {
        shadows.forEach((s, i) => s.assign(tf.add(tf.mul(s, decay), tf.mul(variables[i] as tf.Variable, 1 - decay))));
      });
    },
    apply() {
      variables.forEach((v, i) => v.assign(shadows[i] as tf.Variable));
    },
    dispose() {
      for (const s of shadows) s.dispose();
    },
  };
}
