export * from './codes.js';
export * from './error.js';
