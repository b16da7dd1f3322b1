export { type AppDeps, buildApp } from './app.js';
export { createLocalStaff } from './auth/staff.js';
export { createApiToken } from './auth/tokens.js';
export { buildSchema } from './schema.js';
