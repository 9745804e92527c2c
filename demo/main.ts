/**
 * Browser demo: pick a 2-D data set and a pairing (independent or exact optimal transport),
 * train an MLP velocity field with conditional flow matching (straight conditional paths) in
 * the page, then watch samples flow from noise (t = 0) to data (t = 1). The page starts
 * training as soon as it opens and previews samples of the model as it trains. Built by
 * `npm run demo` into demo/dist/.
 *
 * Query parameters: `?dataset=moons&steps=150&coupling=ot&autorun=1` (autorun trains, then
 * samples; it is on unless `autorun=0`). Tests read `window.__demo` (status, steps, lastLoss,
 * losses, drawnPoints, previews).
 */
import {
  Random,
  adam,
  affinePath,
  checkerboard,
  circles,
  condOT,
  cosineSchedule,
  eightGaussians,
  exactOTCoupling,
  independentCoupling,
  mlp,
  moons,
  sample,
  spirals,
  standardNormal,
  swissRoll,
  train,
} from "../src/index.js";
import type { Batch, Coupling, Distribution, Mlp } from "../src/index.js";
import { gpuMlpField } from "../src/gpu/index.js";
import { decimals, niceTicks } from "./ticks.js";

/** What the page exposes to tests and curious users. */
export interface DemoState {
  /** idle | training | stopped | trained | sampling | animating | done | error */
  status: string;
  /** Optimizer steps taken so far. */
  steps: number;
  /** Loss of the latest step (NaN before the first). */
  lastLoss: number;
  /** Loss of every step so far. */
  losses: number[];
  /** Points drawn in the latest frame of the flow canvas. */
  drawnPoints: number;
  /** Frames of the flow animation drawn so far. */
  frames: number;
  /** Labels of the loss chart's y axis as last drawn. */
  lossTicks: string[];
  /** Sample previews drawn while training. */
  previews: number;
  /** Backend the GPU entry chose for sampling ("" before sampling). */
  backend: string;
  /** Message of the last error, if any. */
  error: string;
}

declare global {
  interface Window {
    __demo: DemoState;
  }
}

const DATASETS: Record<string, () => Distribution> = {
  moons: () => moons(),
  eightGaussians: () => eightGaussians(),
  checkerboard: () => checkerboard(),
  circles: () => circles(),
  spirals: () => spirals(),
  swissRoll: () => swissRoll(),
};

const COUPLINGS: Record<string, { label: string; make: () => Coupling }> = {
  independent: { label: "independent", make: () => independentCoupling() },
  ot: { label: "exact OT (minibatch)", make: () => exactOTCoupling() },
};

const BATCH = 256;
/** Euler steps of the live preview while training (cheap; the final sample uses dopri5). */
const PREVIEW_STEPS = 8;
const SAMPLES = 1000;
const FRAMES = 31;
const COLORS = { bg: "#ffffff", axis: "#dddddd", loss: "#1f4fa8", lossRaw: "#a9c4ef", data: "#cccccc", point: "#d62728", text: "#333333" };

const state: DemoState = { status: "idle", steps: 0, lastLoss: Number.NaN, losses: [], drawnPoints: 0, frames: 0, lossTicks: [], previews: 0, backend: "", error: "" };
window.__demo = state;

const datasetSelect = byId<HTMLSelectElement>("dataset");
const couplingSelect = byId<HTMLSelectElement>("coupling");
const stepsInput = byId<HTMLInputElement>("steps");
const trainButton = byId<HTMLButtonElement>("train");
const stopButton = byId<HTMLButtonElement>("stop");
const sampleButton = byId<HTMLButtonElement>("sample");
const statusText = byId<HTMLSpanElement>("status");
const lossCanvas = byId<HTMLCanvasElement>("loss");
const flowCanvas = byId<HTMLCanvasElement>("flow");

let model: Mlp | null = null;
let modelData: Distribution | null = null;
let controller: AbortController | null = null;

for (const name of Object.keys(DATASETS)) {
  const option = document.createElement("option");
  option.value = name;
  option.textContent = name;
  datasetSelect.append(option);
}
for (const [name, { label }] of Object.entries(COUPLINGS)) {
  const option = document.createElement("option");
  option.value = name;
  option.textContent = label;
  couplingSelect.append(option);
}
const query = new URLSearchParams(location.search);
const queryCoupling = query.get("coupling");
if (queryCoupling !== null && queryCoupling in COUPLINGS) couplingSelect.value = queryCoupling;
const queryDataset = query.get("dataset");
if (queryDataset !== null && queryDataset in DATASETS) datasetSelect.value = queryDataset;
const querySteps = Number(query.get("steps"));
if (Number.isInteger(querySteps) && querySteps > 0) stepsInput.value = String(querySteps);
drawLoss([], Number(stepsInput.value) || 1);
drawPreview();
datasetSelect.addEventListener("change", () => {
  if (state.status === "idle" || model === null) drawPreview();
});

trainButton.addEventListener("click", () => void runTraining());
stopButton.addEventListener("click", () => controller?.abort());
sampleButton.addEventListener("click", () => void runSampling());
window.addEventListener("error", (e) => fail(e.message));

// The page opens with a training run under way (its samples previewed as it learns), unless
// ?autorun=0 asks for a page that waits for the buttons.
if (query.get("autorun") !== "0") {
  void (async () => {
    await runTraining();
    if (model !== null && state.status === "trained") await runSampling(); // not after Stop
  })();
}

/** Trains a fresh MLP on the selected data set, drawing the loss curve as it goes. */
async function runTraining(): Promise<void> {
  const steps = Math.max(1, Math.floor(Number(stepsInput.value) || 1));
  const data = DATASETS[datasetSelect.value]!();
  const coupling = COUPLINGS[couplingSelect.value]!.make();
  const preview = previewSetup(data);
  const net = mlp({ dim: 2, hidden: [64, 64, 64], activation: "silu", seed: 0 });
  controller = new AbortController();
  Object.assign(state, { steps: 0, lastLoss: Number.NaN, losses: [], previews: 0, error: "" });
  setStatus("training");
  setBusy(true);
  let lastDraw = 0;
  let lastPreview = performance.now();
  try {
    const history = await train({
      model: net,
      source: standardNormal(2),
      target: data,
      path: affinePath(condOT()),
      coupling,
      steps,
      batchSize: BATCH,
      optimizer: adam({ lr: 2e-3 }),
      learningRate: cosineSchedule(2e-3, steps, 1e-4),
      rng: new Random(1),
      signal: controller.signal,
      yieldEveryMs: 30,
      onStep: ({ step, loss }) => {
        state.steps = step;
        state.lastLoss = loss;
        state.losses.push(loss);
        const now = performance.now();
        if (now - lastDraw > 100) {
          lastDraw = now;
          drawLoss(state.losses, steps);
          statusText.textContent = `training: step ${state.steps} / ${steps}, loss ${loss.toFixed(3)}`;
        }
        if (now - lastPreview > 400) {
          lastPreview = now;
          preview(net, step);
        }
      },
    });
    drawLoss(state.losses, steps);
    model = net;
    modelData = data;
    setStatus(history.stoppedBy === "signal" ? "stopped" : "trained", `step ${state.steps} / ${steps}, loss ${state.lastLoss.toFixed(3)}`);
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  } finally {
    controller = null;
    setBusy(false);
  }
}

/** Integrates noise through the trained field and animates the trajectories. */
async function runSampling(): Promise<void> {
  if (model === null || modelData === null) return;
  setStatus("sampling");
  setBusy(true);
  try {
    await nextFrame();
    const x0 = standardNormal(2).sample(SAMPLES, new Random(7));
    const times = Array.from({ length: FRAMES }, (_, k) => k / (FRAMES - 1));
    // Sampling goes through the GPU entry: "auto" runs the kernels on a hardware WebGL2
    // context when the browser has one, and otherwise (no GPU, or a software renderer such as
    // SwiftShader) on our float32 WebAssembly-SIMD CPU path, which is faster there.
    const field = gpuMlpField(model);
    state.backend = field.report.backend;
    const { trajectory } = sample(field, x0, { method: "dopri5", rtol: 1e-4, atol: 1e-4, times });
    field.dispose();
    const frames = trajectory ?? [x0];
    const reference = modelData.sample(2000, new Random(3));
    const extent = boxOf([reference, x0]);
    setStatus("animating");
    state.frames = 0;
    for (let k = 0; k < frames.length; k++) {
      drawPoints(reference, frames[k]!, extent, times[k] ?? 1);
      state.frames = k + 1;
      await nextFrame();
    }
    setStatus("done", `${SAMPLES} samples at t = 1 (light grey: data), sampled on backend ${state.backend}`);
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  } finally {
    setBusy(false);
  }
}

/** Draws the loss per step (light), its moving average (dark), and labelled axes. */
function drawLoss(losses: readonly number[], total: number): void {
  const ctx = clear(lossCanvas);
  const { width: w, height: h } = lossCanvas;
  const left = 48, right = 18, top = 10, bottom = 34;
  const plotW = w - left - right, plotH = h - top - bottom;
  // The first few losses (untrained field) are far above the rest; clip them off the scale.
  const skip = losses.length > 20 ? Math.min(10, Math.floor(losses.length / 10)) : 0;
  let lo = Infinity, hi = -Infinity;
  for (const v of losses.slice(skip)) {
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (!(hi >= lo)) { lo = 0; hi = 1; }
  const yTicks = niceTicks(lo, hi === lo ? lo + 1 : hi, 5);
  lo = yTicks[0]!;
  hi = yTicks[yTicks.length - 1]!;
  const x = (i: number) => left + (plotW * i) / Math.max(1, total - 1);
  const y = (v: number) => top + (plotH * (hi - v)) / (hi - lo);
  ctx.font = "11px sans-serif";
  ctx.lineWidth = 1;
  ctx.fillStyle = COLORS.text;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  const yDecimals = decimals(yTicks);
  state.lossTicks = yTicks.map((v) => v.toFixed(yDecimals));
  for (const v of yTicks) {
    ctx.strokeStyle = COLORS.axis;
    ctx.beginPath(); ctx.moveTo(left, y(v)); ctx.lineTo(left + plotW, y(v)); ctx.stroke();
    ctx.fillText(v.toFixed(yDecimals), left - 6, y(v));
  }
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const s of niceTicks(0, Math.max(1, total), 5).filter((s) => s <= total)) {
    ctx.strokeStyle = COLORS.axis;
    ctx.beginPath(); ctx.moveTo(x(s), top + plotH); ctx.lineTo(x(s), top + plotH + 4); ctx.stroke();
    ctx.fillText(String(s), x(s), top + plotH + 6);
  }
  ctx.fillText(losses.length === 0 ? "step" : `step (${losses.length} / ${total})`, left + plotW / 2, h - 13);
  ctx.strokeStyle = "#999999";
  ctx.strokeRect(left, top, plotW, plotH);
  if (losses.length === 0) return;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, plotW, plotH);
  ctx.clip();
  const line = (values: readonly number[], color: string, width: number): void => {
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.beginPath();
    values.forEach((v, i) => (i === 0 ? ctx.moveTo(x(i), y(v)) : ctx.lineTo(x(i), y(v))));
    ctx.stroke();
  };
  line(losses, COLORS.lossRaw, 1);
  // Exponential moving average (about 50 steps), bias-corrected as in Adam so that it follows
  // the first steps too: the trend under the minibatch noise.
  let ema = 0;
  line(losses.map((v, i) => (ema = 0.98 * ema + 0.02 * v) / (1 - 0.98 ** (i + 1))), COLORS.loss, 2);
  ctx.restore();
}

/** Shows the selected data set (grey) and the noise the samples start from (red, t = 0). */
function drawPreview(): void {
  const data = DATASETS[datasetSelect.value]!();
  const reference = data.sample(2000, new Random(3));
  const x0 = standardNormal(2).sample(SAMPLES, new Random(7));
  drawPoints(reference, x0, boxOf([reference, x0]), 0);
}

/** A preview of the model while it trains: a few Euler steps from fixed noise, over the data. */
function previewSetup(data: Distribution): (net: Mlp, step: number) => void {
  const reference = data.sample(2000, new Random(3));
  const x0 = standardNormal(2).sample(SAMPLES, new Random(7));
  const extent = boxOf([reference, x0]);
  return (net, step) => {
    const { y } = sample(net, x0, { method: "euler", steps: PREVIEW_STEPS });
    drawPoints(reference, y, extent, 1, `step ${step}: ${PREVIEW_STEPS} Euler steps`);
    state.previews++;
  };
}

function drawPoints(reference: Batch, points: Batch, extent: number, t: number, note = ""): void {
  const ctx = clear(flowCanvas);
  const { width: w, height: h } = flowCanvas;
  const sx = (v: number) => w / 2 + (v / extent) * (w / 2);
  const sy = (v: number) => h / 2 - (v / extent) * (h / 2);
  const dot = (data: Float64Array, color: string, r: number): number => {
    ctx.fillStyle = color;
    let drawn = 0;
    for (let i = 0; i + 1 < data.length; i += 2) {
      const px = sx(data[i]!);
      const py = sy(data[i + 1]!);
      if (px < 0 || py < 0 || px > w || py > h) continue;
      ctx.fillRect(px - r, py - r, 2 * r, 2 * r);
      drawn++;
    }
    return drawn;
  };
  dot(reference.data, COLORS.data, 1);
  state.drawnPoints = dot(points.data, COLORS.point, 1.5);
  ctx.fillStyle = COLORS.text;
  ctx.font = "12px sans-serif";
  ctx.textAlign = "left";
  ctx.textBaseline = "alphabetic";
  ctx.fillText(`t = ${t.toFixed(2)}${note === "" ? "" : ` (${note})`}`, 8, 16);
}

/** Half-width of a square view holding (almost) every point. */
function boxOf(batches: readonly Batch[]): number {
  const all: number[] = [];
  for (const b of batches) for (const v of b.data) all.push(Math.abs(v));
  all.sort((a, b) => a - b);
  return 1.1 * Math.max(1, all[Math.floor(0.995 * (all.length - 1))] ?? 1);
}

function clear(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext("2d");
  if (ctx === null) throw new Error("demo: this browser has no 2-D canvas");
  ctx.fillStyle = COLORS.bg;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  return ctx;
}

function setStatus(status: string, detail = ""): void {
  state.status = status;
  statusText.textContent = detail === "" ? status : `${status}: ${detail}`;
}

function setBusy(busy: boolean): void {
  trainButton.disabled = busy;
  datasetSelect.disabled = busy;
  couplingSelect.disabled = busy;
  stopButton.disabled = !busy || controller === null;
  sampleButton.disabled = busy || model === null;
}

function fail(message: string): void {
  state.error = message;
  setStatus("error", message);
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 33));
}

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`demo: missing element #${id}`);
  return el as T;
}
