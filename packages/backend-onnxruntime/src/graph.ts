import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Element types the graphs use, named as onnxruntime-node names tensor types. */
export type ElemType = 'float32' | 'float64' | 'uint8' | 'int32' | 'int64' | 'bool';

/** A dimension: a number, or a symbol (e.g. `N`, the batch size) that stays free until run time. */
export type Dim = number | string;

/** A tensor in the graph: its name plus the element type and shape the builder inferred for it. */
export interface Value {
  readonly name: string;
  readonly type: ElemType;
  readonly shape: readonly Dim[];
}

/** Node attributes, tagged so that an integer 1 and a float 1.0 encode differently. */
export type Attribute =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'graph'; readonly value: GraphBuilder };

export const attr = {
  int: (value: number): Attribute => ({ kind: 'int', value }),
  float: (value: number): Attribute => ({ kind: 'float', value }),
  ints: (value: readonly number[]): Attribute => ({ kind: 'ints', value }),
  string: (value: string): Attribute => ({ kind: 'string', value }),
  graph: (value: GraphBuilder): Attribute => ({ kind: 'graph', value }),
};

export interface GraphNode {
  readonly op: string;
  /** Unique within the graph; onnxruntime quotes it in its errors. */
  readonly name: string;
  readonly inputs: readonly Value[];
  readonly outputs: readonly Value[];
  readonly attributes: Readonly<Record<string, Attribute>>;
}

/** Typed data of a constant or initializer. */
export type TensorData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

interface Initializer {
  readonly value: Value;
  readonly data: TensorData;
}

/** The opset every xbackend graph declares (ONNX 1.13+): all Reduce* ops take `axes` as an input. */
export const OPSET = 18;
/** IR version 8 is what opset 18 shipped with and what onnx-proto 8 describes. */
export const IR_VERSION = 8;

const DATA_TYPE: Record<ElemType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float64: onnx.TensorProto.DataType.DOUBLE,
  uint8: onnx.TensorProto.DataType.UINT8,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
};

export function isFloat(type: ElemType): boolean {
  return type === 'float32' || type === 'float64';
}

export function formatShape(shape: readonly Dim[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Builds one ONNX graph. Every value carries its inferred type and shape, so the op helpers and the gradient rules
 * can reason about broadcasting statically; `toModel()` turns it into a ModelProto with one opset import.
 */
export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  private readonly inputs: Value[] = [];
  private readonly outputs: Value[] = [];
  private readonly initializers: Initializer[] = [];
  private readonly names = new Set<string>();
  private counter = 0;
  /** Prefix given to nodes created while a scope is open (e.g. `grad/`), so errors say which part of the graph failed. */
  private scopePrefix = '';

  constructor(readonly name: string) {}

  /** An unused name based on `hint` (in the current scope); not reserved until a value or node takes it. */
  fresh(hint: string): string {
    let candidate = `${this.scopePrefix}${hint}_${this.counter++}`;
    while (this.names.has(candidate)) candidate = `${this.scopePrefix}${hint}_${this.counter++}`;
    return candidate;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`internal: graph '${this.name}' already has a value named '${name}'.`);
    this.names.add(name);
    return name;
  }

  /** Runs `build` with node and value names prefixed by `prefix`. */
  scoped<T>(prefix: string, build: () => T): T {
    const outer = this.scopePrefix;
    this.scopePrefix = `${outer}${prefix}/`;
    try {
      return build();
    } finally {
      this.scopePrefix = outer;
    }
  }

  input(name: string, type: ElemType, shape: readonly Dim[]): Value {
    const value: Value = { name: this.claim(name), type, shape: [...shape] };
    this.inputs.push(value);
    return value;
  }

  initializer(name: string, type: ElemType, shape: readonly number[], data: TensorData): Value {
    const value: Value = { name: this.claim(name), type, shape: [...shape] };
    this.initializers.push({ value, data });
    return value;
  }

  /** A constant stored as an initializer with a generated name. */
  constant(type: ElemType, shape: readonly number[], values: readonly number[] | TensorData, hint = 'const'): Value {
    return this.initializer(this.fresh(hint), type, shape, toTypedArray(type, values));
  }

  /** Adds a node whose output types and shapes the caller has inferred. */
  node(
    op: string,
    inputs: readonly Value[],
    outputs: readonly { type: ElemType; shape: readonly Dim[]; name?: string }[],
    attributes: Record<string, Attribute> = {},
  ): Value[] {
    const outs: Value[] = outputs.map((o) => ({ name: this.claim(o.name ?? this.fresh(op)), type: o.type, shape: [...o.shape] }));
    this.nodes.push({ op, name: this.claim(this.fresh(`n_${op}`)), inputs, outputs: outs, attributes });
    return outs;
  }

  /** Marks `value` as a graph output, renamed to `name` through an Identity when needed. */
  output(value: Value, name = value.name): Value {
    const out =
      name === value.name ? value : (this.node('Identity', [value], [{ type: value.type, shape: value.shape, name }])[0] as Value);
    this.outputs.push(out);
    return out;
  }

  get graphInputs(): readonly Value[] {
    return this.inputs;
  }

  get graphOutputs(): readonly Value[] {
    return this.outputs;
  }

  /** The data of an initializer (e.g. the `axes` of a Reduce op), or `undefined` for computed values. */
  constantData(value: Value): TensorData | undefined {
    return this.initializers.find((i) => i.value.name === value.name)?.data;
  }

  /** The node that produces `valueName`, if any (inputs and initializers have none). */
  producer(valueName: string): GraphNode | undefined {
    return this.nodes.find((n) => n.outputs.some((o) => o.name === valueName));
  }

  /** The node with this name, for mapping onnxruntime errors back to ops. */
  nodeNamed(nodeName: string): GraphNode | undefined {
    return this.nodes.find((n) => n.name === nodeName);
  }

  toGraphProto(): InstanceType<typeof onnx.GraphProto> {
    return onnx.GraphProto.create({
      name: this.name,
      node: this.nodes.map((n) =>
        onnx.NodeProto.create({
          name: n.name,
          opType: n.op,
          input: n.inputs.map((v) => v.name),
          output: n.outputs.map((v) => v.name),
          attribute: Object.entries(n.attributes).map(([key, a]) => attributeProto(key, a)),
        }),
      ),
      input: this.inputs.map(valueInfo),
      output: this.outputs.map(valueInfo),
      initializer: this.initializers.map(({ value, data }) => tensorProto(value, data)),
    });
  }

  toModel(docString = ''): InstanceType<typeof onnx.ModelProto> {
    return onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'xbackend',
      producerVersion: '0.1.0',
      docString,
      graph: this.toGraphProto(),
    });
  }

  /** Serialized ModelProto bytes, ready for `InferenceSession.create`. */
  encode(docString = ''): Uint8Array {
    return onnx.ModelProto.encode(this.toModel(docString)).finish();
  }
}

function valueInfo(value: Value): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name: value.name,
    type: {
      tensorType: {
        elemType: DATA_TYPE[value.type],
        shape: { dim: value.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}

function attributeProto(name: string, a: Attribute): InstanceType<typeof onnx.AttributeProto> {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.kind) {
    case 'int':
      return onnx.AttributeProto.create({ name, type: T.INT, i: a.value });
    case 'float':
      return onnx.AttributeProto.create({ name, type: T.FLOAT, f: a.value });
    case 'ints':
      return onnx.AttributeProto.create({ name, type: T.INTS, ints: [...a.value] });
    case 'string':
      return onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(a.value) });
    case 'graph':
      return onnx.AttributeProto.create({ name, type: T.GRAPH, g: a.value.toGraphProto() });
  }
}

function tensorProto(value: Value, data: TensorData): InstanceType<typeof onnx.TensorProto> {
  // raw_data is little-endian, which is what typed arrays are on every platform Node supports.
  return onnx.TensorProto.create({
    name: value.name,
    dataType: DATA_TYPE[value.type],
    dims: value.shape.map(Number),
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  });
}

export function toTypedArray(type: ElemType, values: readonly number[] | TensorData): TensorData {
  switch (type) {
    case 'float32':
      return Float32Array.from(values as ArrayLike<number>);
    case 'float64':
      return Float64Array.from(values as ArrayLike<number>);
    case 'uint8':
      return Uint8Array.from(values as ArrayLike<number>);
    case 'int32':
      return Int32Array.from(values as ArrayLike<number>);
    case 'int64':
      return values instanceof BigInt64Array
        ? values.slice()
        : BigInt64Array.from(Array.from(values as ArrayLike<number>, (v) => BigInt(v)));
    case 'bool':
      return Uint8Array.from(values as ArrayLike<number>, (v) => (v ? 1 : 0));
  }
}
