import type { ModelPreset } from '@xbackend/core';

/** The book's models as the page names them, each with its section of d2l. */
export const MODEL_NAMES: Readonly<Record<ModelPreset, { readonly name: string; readonly section: string }>> = {
  softmax: { name: 'softmax regression', section: '§3.7' },
  mlp: { name: 'MLP', section: '§4.3' },
  lenet: { name: 'LeNet', section: '§7.6' },
};
