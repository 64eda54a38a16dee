import { XBackendError } from '@xbackend/core';
import type * as OrtModule from 'onnxruntime-common';
import type { GraphBuilder } from './graph.js';

/** What the graphs need from onnxruntime: the API that onnxruntime-node and onnxruntime-web share. */
export type Ort = typeof OrtModule;
export type OrtTensor = OrtModule.Tensor;
export type SessionOptions = OrtModule.InferenceSession.SessionOptions;

/** How the sessions of one engine are created and run. */
export interface SessionSettings {
  readonly options: SessionOptions;
  /**
   * Whether run() writes into preallocated CPU output tensors. onnxruntime-node does; onnxruntime-web 1.30 binds a
   * copy of them in its wasm heap and never copies the result back, so there outputs must be fetched by name.
   */
  readonly writesIntoOutputs: boolean;
  /**
   * Whether run() reads input tensors where they are, without copying them (onnxruntime-node does; onnxruntime-web
   * copies them into its wasm heap). Then a batch can be fed as rows of the whole data set (see `Batch.source`).
   */
  readonly readsInputsInPlace?: boolean;
}

/** onnxruntime-node in Node, onnxruntime-web in a browser, chosen by the `#ort` import condition. */
export { loadOrt } from '#ort';

let openSessions = 0;

/** Sessions created by this package and not yet released (lets tests prove that `dispose` frees them). */
export function openSessionCount(): number {
  return openSessions;
}

/** onnxruntime failed on one of our graphs; the message names the graph and, when onnxruntime says, the node and op. */
export class OnnxRuntimeError extends XBackendError {
  constructor(
    readonly graph: string,
    readonly phase: 'create the session for' | 'run',
    readonly node: string | undefined,
    readonly op: string | undefined,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const where = node ? ` at node '${node}' (op ${op})` : '';
    super('ONNX_RUNTIME', `onnxruntime could not ${phase} graph '${graph}'${where}: ${reason}`, { cause });
  }
}

/** Finds the node onnxruntime's message talks about (the longest of our node names it contains). */
export function blame(graph: GraphBuilder, message: string): { node?: string; op?: string } {
  let best: { node: string; op: string } | undefined;
  for (const n of graph.nodes) {
    if (message.includes(n.name) && (!best || n.name.length > best.node.length)) best = { node: n.name, op: n.op };
  }
  return best ?? {};
}

function wrap(graph: GraphBuilder, phase: OnnxRuntimeError['phase'], error: unknown): OnnxRuntimeError {
  const { node, op } = blame(graph, error instanceof Error ? error.message : String(error));
  return new OnnxRuntimeError(graph.name, phase, node, op, error);
}

/** An InferenceSession over one of our graphs, created once, with errors that name the graph and the op. */
export class GraphSession {
  private released = false;

  private constructor(
    readonly graph: GraphBuilder,
    private readonly session: OrtModule.InferenceSession,
  ) {}

  static async create(ort: Ort, graph: GraphBuilder, options: SessionOptions): Promise<GraphSession> {
    let session: OrtModule.InferenceSession;
    try {
      session = await ort.InferenceSession.create(graph.encode(), options);
    } catch (error) {
      throw wrap(graph, 'create the session for', error);
    }
    openSessions++;
    return new GraphSession(graph, session);
  }

  /** `fetches` may map output names to preallocated tensors that onnxruntime writes into. */
  async run(
    feeds: Record<string, OrtTensor>,
    fetches?: readonly string[] | Record<string, OrtTensor | null>,
  ): Promise<Record<string, OrtTensor>> {
    if (this.released) throw new XBackendError('DISPOSED', `The session of graph '${this.graph.name}' was released.`);
    try {
      const result = fetches
        ? await this.session.run(feeds, fetches as OrtModule.InferenceSession.FetchesType)
        : await this.session.run(feeds);
      return result as Record<string, OrtTensor>;
    } catch (error) {
      throw wrap(this.graph, 'run', error);
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    openSessions--;
    await this.session.release();
  }
}
