export { adapter } from './adapter.js';
export { type GradientOptions, gradients } from './autodiff.js';
export { buildOnnxModel, type ExportOptions } from './export.js';
export { type GradientRule, gradientRules } from './gradient-rules.js';
export { type Attribute, attr, type Dim, type ElemType, GraphBuilder, type GraphNode, IR_VERSION, OPSET, type Value } from './graph.js';
export { buildEvalGraph, buildInferenceGraph, buildTrainGraph, NAMES } from './model-graphs.js';
export { OnnxRuntimeError } from './ort.js';
