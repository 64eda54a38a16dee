import { XBackendError } from '@xbackend/core';
import { gradientRules } from './gradient-rules.js';
import { type GraphBuilder, type GraphNode, isFloat, type Value } from './graph.js';
import * as op from './ops.js';

export interface GradientOptions {
  /**
   * Values treated as constants (no gradient flows through them), e.g. the row max subtracted before `Exp`:
   * the log-softmax does not depend on it, so stopping it is exact and saves the ReduceMax backward nodes.
   */
  readonly stopGradient?: readonly Value[];
  /** Gradient of `y` to start from; defaults to ones (for a scalar loss: 1). */
  readonly seed?: Value;
}

/**
 * Reverse-mode autodiff over the nodes already in `g`: appends the nodes that compute ∂y/∂w for each `w` in `wrt`
 * (under the name scope `grad/`) and returns those gradients in order. Only float values carry gradients.
 */
export function gradients(g: GraphBuilder, y: Value, wrt: readonly Value[], options: GradientOptions = {}): Value[] {
  if (!isFloat(y.type)) throw new Error(`internal: cannot differentiate ${y.name} of type ${y.type}`);
  const forward = [...g.nodes];
  const stopped = new Set((options.stopGradient ?? []).map((v) => v.name));

  // Values that depend on some w (forward sweep).
  const active = new Set(wrt.map((w) => w.name));
  for (const node of forward) {
    if (!node.inputs.some((v) => active.has(v.name))) continue;
    for (const out of node.outputs) if (isFloat(out.type) && !stopped.has(out.name)) active.add(out.name);
  }
  // Nodes on a path from some w to y (backward sweep).
  const needed = new Set([y.name]);
  const path: GraphNode[] = [];
  for (let i = forward.length - 1; i >= 0; i--) {
    const node = forward[i] as GraphNode;
    if (!node.outputs.some((o) => needed.has(o.name) && active.has(o.name))) continue;
    path.push(node);
    for (const v of node.inputs) if (active.has(v.name)) needed.add(v.name);
  }

  return g.scoped('grad', () => {
    const contributions = new Map<string, Value[]>([[y.name, [options.seed ?? ones(g, y)]]]);
    const total = (v: Value): Value | undefined => {
      const parts = contributions.get(v.name);
      if (!parts || parts.length === 0) return undefined;
      const summed = parts.reduce((a, b) => op.add(g, a, b));
      contributions.set(v.name, [summed]);
      return summed;
    };
    for (const node of path) {
      const dY = total(node.outputs[0] as Value);
      if (!dY) continue;
      const rule = gradientRules[node.op];
      if (!rule) {
        throw new XBackendError(
          'NO_GRADIENT_RULE',
          `Graph '${g.name}': no gradient rule for ONNX op ${node.op} (node ${node.name}); rules exist for ${Object.keys(gradientRules).join(', ')}.`,
        );
      }
      const needs = node.inputs.map((v) => active.has(v.name));
      const grads = rule({ g, node, dY, needs });
      node.inputs.forEach((v, i) => {
        const grad = grads[i];
        if (!needs[i] || !grad) return;
        const list = contributions.get(v.name) ?? [];
        list.push(grad);
        contributions.set(v.name, list);
      });
    }
    return wrt.map((w) => total(w) ?? op.zerosLike(g, w));
  });
}

function ones(g: GraphBuilder, y: Value): Value {
  const one = op.scalar(g, y.type, 1);
  return y.shape.length === 0 ? one : op.expandLike(g, one, y);
}
