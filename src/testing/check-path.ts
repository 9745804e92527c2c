import type { ProbabilityPath } from "../core/interfaces.js";
import type { AffinePath } from "../paths/affine.js";
import { checkConversions, checkGeneratesPath, checkPathBoundaries, type ConversionOptions, type GeneratesPathOptions, type PathBoundaryOptions } from "./path-checks.js";
import { checkScheduler, type SchedulerCheckOptions } from "./scheduler-checks.js";
import { pathArgument } from "./validate.js";
import { checkOptions } from "../core/check.js";

/** Options of {@link checkPath}. @category Testing */
export interface PathCheckOptions {
  /** Options of {@link checkPathBoundaries}. */
  boundary?: PathBoundaryOptions;
  /** Options of {@link checkGeneratesPath}. */
  generates?: GeneratesPathOptions;
  /** Options of {@link checkConversions} (affine paths only). */
  conversions?: ConversionOptions;
  /** Options of {@link checkScheduler} (affine paths only). */
  scheduler?: SchedulerCheckOptions;
}

/**
 * Runs every path check: {@link checkPathBoundaries} and {@link checkGeneratesPath}; for a path
 * with conversions and a scheduler (an {@link AffinePath}), also {@link checkConversions} and {@link checkScheduler}.
 *
 * @throws {@link PropertyCheckError} for the first violated condition
 * @example
 * ```ts
 * checkPath(affinePath(condOT())) // => undefined (passes)
 * ```
 * @category Testing
 */
export function checkPath(path: ProbabilityPath, options: PathCheckOptions = {}): void {
  pathArgument("checkPath", path);
  options = checkOptions("checkPath", "options", options);
  checkPathBoundaries(path, options.boundary);
  checkGeneratesPath(path, options.generates);
  if (isAffine(path)) {
    checkScheduler(path.scheduler, options.scheduler);
    checkConversions(path, options.conversions);
  }
}

function isAffine(path: ProbabilityPath): path is AffinePath {
  const p = path as Partial<AffinePath>;
  return typeof p.targetToVelocity === "function" && typeof p.velocityToScore === "function" && typeof p.scheduler?.at === "function";
}
