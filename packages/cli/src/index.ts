/** @guichet/cli: the `guichet` command (bin/guichet.mjs runs `main`). */

export { EXIT } from './errors.js';
export { main } from './main.js';
export type { Io } from './output.js';
