import { XBackendError } from '@xbackend/core';

/** A data file is missing, unreadable, corrupt or does not fit the others; the message says where and how to fix it. */
export class DatasetError extends XBackendError {
  constructor(message: string, options?: ErrorOptions) {
    super('DATASET', message, options);
  }
}
