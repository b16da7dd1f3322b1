export { type AppDeps, buildApp } from './app.js';
export { authenticate } from './auth/authenticate.js';
export { createLocalStaff } from './auth/staff.js';
export { createApiToken, listTokens } from './auth/tokens.js';
export { buildSchema } from './schema.js';
