import type { JobRunner } from '@guichet/jobs';
import type { EduroamRuntime } from './config.js';

/**
 * Bridge until the line contract's env reaches steps and jobs (`env.line('eduroam')`): the host
 * installs the runtime and the job runner once; steps read them here.
 */
let installed: { rt: EduroamRuntime; jobs: () => JobRunner | null } | null = null;

export function installEduroam(rt: EduroamRuntime, jobs: () => JobRunner | null = () => null): void {
  installed = { rt, jobs };
}

export function eduroam(): EduroamRuntime {
  if (!installed) throw new Error('the eduroam line is not installed in this process');
  return installed.rt;
}

export function eduroamJobs(): JobRunner | null {
  return installed?.jobs() ?? null;
}
