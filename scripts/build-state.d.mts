export const ROOT: string;
export const DIST: string;
export const BUILD_INFO: string;
export const ENTRIES: Record<string, string>;
export function extraInputs(): string[];
export function staleReason(): string | undefined;
