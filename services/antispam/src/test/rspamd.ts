import { type Rspamd, startRspamd as start } from '@guichet/testkit';
import { copyRspamdConfig } from '../rspamd/check.js';

/** testkit's throwaway rspamd, its configuration copied as the line's own check copies it. */
export type { Rspamd };
export const startRspamd = (files: Record<string, string>) => start(files, copyRspamdConfig);
