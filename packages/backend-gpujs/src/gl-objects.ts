/** The WebGL calls this package makes itself; gpu.js makes the rest. */
export interface GlContext {
  readonly VERSION: number;
  readonly RENDERER: number;
  getParameter(name: number): unknown;
  getExtension(name: string): unknown;
}

/** WebGL objects alive in one context, by kind. */
export interface LiveGlObjects {
  readonly textures: number;
  readonly framebuffers: number;
  readonly programs: number;
  readonly shaders: number;
  readonly buffers: number;
}

const KINDS = {
  textures: ['createTexture', 'deleteTexture'],
  framebuffers: ['createFramebuffer', 'deleteFramebuffer'],
  programs: ['createProgram', 'deleteProgram'],
  shaders: ['createShader', 'deleteShader'],
  buffers: ['createBuffer', 'deleteBuffer'],
} as const;

type Kind = keyof typeof KINDS;
type GlMethod = (...args: unknown[]) => unknown;

/**
 * Tracks every texture, framebuffer, program, shader and buffer created in `context` (gpu.js included) by wrapping
 * the context's create/delete calls, so device memory can be checked to stay flat across steps and to be released.
 */
export function trackGlObjects(context: GlContext): () => LiveGlObjects {
  const live = {} as Record<Kind, Set<unknown>>;
  const methods = context as unknown as Record<string, GlMethod>;
  for (const [kind, [create, remove]] of Object.entries(KINDS) as [Kind, readonly [string, string]][]) {
    const objects = new Set<unknown>();
    live[kind] = objects;
    const createOriginal = methods[create];
    const removeOriginal = methods[remove];
    if (!createOriginal || !removeOriginal) throw new Error(`internal: the GL context has no ${create}/${remove}`);
    methods[create] = (...args: unknown[]) => {
      const made = createOriginal.apply(context, args);
      if (made) objects.add(made);
      return made;
    };
    methods[remove] = (...args: unknown[]) => {
      objects.delete(args[0]);
      return removeOriginal.apply(context, args);
    };
  }
  return () => ({
    textures: live.textures.size,
    framebuffers: live.framebuffers.size,
    programs: live.programs.size,
    shaders: live.shaders.size,
    buffers: live.buffers.size,
  });
}
