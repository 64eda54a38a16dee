/**
 * headless-gl (`gl`, an optional native dependency): loading it, probing for a context, and creating the one
 * context a 'headlessgl' backend owns. Nothing here runs at import time.
 */
import { createRequire } from 'node:module';
import type { GlContext } from './gl-objects.js';

type CreateContext = (width: number, height: number, options: { preserveDrawingBuffer: boolean }) => GlContext | null;

const require = createRequire(import.meta.url);

export const GL_BUILD_HINT =
  'It is compiled from source on install: install a compiler and the GL development packages (Debian/Ubuntu: sudo apt-get install -y build-essential python3 pkg-config libxi-dev libglu1-mesa-dev libglew-dev xvfb), then rebuild it against the system Node headers with `npm_config_nodedir=/usr pnpm rebuild gl` (or reinstall with `npm_config_nodedir=/usr pnpm install`).';

export const XVFB_HINT =
  'Run under a virtual X display: `xvfb-run -a <your command>` (Debian/Ubuntu: sudo apt-get install -y xvfb); Mesa llvmpipe then renders in software.';

function loadGl(): { create: CreateContext } | { reason: string } {
  try {
    return { create: require('gl') as CreateContext };
  } catch (error) {
    const detail = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    return { reason: `the optional native package 'gl' (headless-gl 8.1.6) could not be loaded (${detail}). ${GL_BUILD_HINT}` };
  }
}

function noContextReason(): string {
  const display = process.env.DISPLAY;
  const why = display ? `the X display '${display}' did not give one` : 'there is no X display (DISPLAY is unset)';
  return `headless-gl could not create a WebGL context: ${why}. ${XVFB_HINT}`;
}

/** Creates a WebGL 1 context, or says why there is none (and how to get one). */
export function createGlContext(): { context: GlContext } | { reason: string } {
  const gl = loadGl();
  if ('reason' in gl) return gl;
  let context: GlContext | null;
  try {
    context = gl.create(1, 1, { preserveDrawingBuffer: true });
  } catch (error) {
    return { reason: `${noContextReason()} (${error instanceof Error ? error.message : String(error)})` };
  }
  return context ? { context } : { reason: noContextReason() };
}

export function destroyGlContext(context: GlContext): void {
  const extension = context.getExtension('STACKGL_destroy_context') as { destroy(): void } | null;
  extension?.destroy();
}

/** `RENDERER / VERSION` of a context, for the backend's details. */
export function describeGlContext(context: GlContext): string {
  return `${String(context.getParameter(context.RENDERER))} / ${String(context.getParameter(context.VERSION))}`;
}
